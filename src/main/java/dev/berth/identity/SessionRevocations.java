package dev.berth.identity;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Ends local form-login sessions on the server at sign-out. The form login keeps its session in an encrypted cookie
 * that Quarkus renews while it is used, so dropping the cookie in the browser left every copy of it valid until it
 * timed out. At sign-out this remembers the user and the time; afterwards a session cookie of that user is accepted
 * only if Berth issued it after the sign-out (a new login, or a renewal of such a session). Entries are forgotten once
 * every older cookie has timed out ({@code quarkus.http.auth.form.timeout}). Production signs out through the OIDC
 * provider, which ends its own session (RP-initiated logout).
 */
@ApplicationScoped
public class SessionRevocations implements SecurityIdentityAugmentor {
    static final String COOKIE = "quarkus-credential";
    private final Map<String, Long> signedOutAt = new ConcurrentHashMap<>();
    private final Map<String, Long> issuedAfterSignOut = new ConcurrentHashMap<>();
    private final long timeoutNanos;

    SessionRevocations(@ConfigProperty(name = "quarkus.http.auth.form.timeout", defaultValue = "PT30M") Duration timeout) {
        this.timeoutNanos = timeout.plusMinutes(1).toNanos();
    }

    /** Signs {@code user} out everywhere: every session cookie issued so far stops working. */
    public void signOut(String user) {
        forgetOld();
        signedOutAt.put(user, System.nanoTime());
    }

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 5).handler(rc -> {
            if (!signedOutAt.isEmpty()) {
                String presented = presented(rc);
                rc.addHeadersEndHandler(ignored -> recordIssued(rc, presented));
            }
            rc.next();
        });
    }

    /** Remembers cookies issued to a signed-out user after the sign-out (a new login or its renewals). */
    /** The session cookie the browser sent, or null. */
    static String presented(RoutingContext rc) {
        Cookie c = rc.request().getCookie(COOKIE);
        return c == null ? null : c.getValue();
    }

    /**
     * The session cookie this response sets, or null. Cookies added to a response are kept in the request's cookie
     * map until the headers are written, so a value other than the one presented is a newly issued one.
     */
    static String issued(RoutingContext rc, String presented) {
        Cookie c = rc.request().getCookie(COOKIE);
        return c == null || c.getValue().isEmpty() || c.getValue().equals(presented) ? null : c.getValue();
    }

    private void recordIssued(RoutingContext rc, String presented) {
        String user = rc.normalizedPath().equals(LoginGuard.LOGIN) ? LoginGuard.user(rc)
                : rc.user() instanceof QuarkusHttpUser u && !u.getSecurityIdentity().isAnonymous()
                        ? u.getSecurityIdentity().getPrincipal().getName() : null;
        if (user == null || !signedOutAt.containsKey(user) || rc.response().getStatusCode() == 429) {
            return;
        }
        String issued = issued(rc, presented);
        if (issued != null) {
            issuedAfterSignOut.put(hash(issued), System.nanoTime());
        }
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        return Uni.createFrom().item(identity);
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context,
            Map<String, Object> attributes) {
        RoutingContext rc = HttpSecurityUtils.getRoutingContextAttribute(attributes);
        if (rc == null || identity.isAnonymous() || signedOutAt.isEmpty()
                || rc.normalizedPath().equals(LoginGuard.LOGIN) || rc.request().getHeader("Authorization") != null) {
            return Uni.createFrom().item(identity);
        }
        Cookie cookie = rc.request().getCookie(COOKIE);
        Long out = signedOutAt.get(identity.getPrincipal().getName());
        Long issuedAt = cookie == null ? null : issuedAfterSignOut.get(hash(cookie.getValue()));
        // Only a cookie issued after the user's latest sign-out counts: one issued after an earlier sign-out (a login
        // between two sign-outs) is as signed out as any other.
        if (cookie == null || out == null || issuedAt != null && issuedAt - out > 0) {
            return Uni.createFrom().item(identity);
        }
        if (System.nanoTime() - out > timeoutNanos) {
            signedOutAt.remove(identity.getPrincipal().getName(), out);
            return Uni.createFrom().item(identity);
        }
        return Uni.createFrom().failure(new AuthenticationFailedException("the session was signed out"));
    }

    private void forgetOld() {
        long now = System.nanoTime();
        signedOutAt.values().removeIf(t -> now - t > timeoutNanos);
        issuedAfterSignOut.values().removeIf(t -> now - t > timeoutNanos);
    }

    private static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
