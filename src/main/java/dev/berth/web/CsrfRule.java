package dev.berth.web;

import dev.berth.api.RawProblems;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * The one place that enforces CSRF protection, as a rule instead of a list: every state-changing request
 * (POST, PUT, PATCH, DELETE) that a browser session cookie could authenticate must prove it comes from Berth's own
 * pages by carrying the CSRF token, whatever its body.
 * <ul>
 * <li>Requests with an {@code Authorization} header (API tokens {@code berth_...}, OIDC bearer tokens) are exempt:
 * a cross-site page cannot send that header (CORS is off), and such a request is authenticated by it.</li>
 * <li>Webhooks ({@code /hooks/*}) are exempt: they carry no login and their signature is checked.</li>
 * <li>The login form ({@code /j_security_check}) is exempt: there is no session yet for it to ride on.</li>
 * <li>The token goes in the {@code X-CSRF-Token} header (JSON calls, scripts) or, for HTML forms, in the
 * {@code csrf-token} form field, which the REST CSRF filter checks once the form is read.</li>
 * </ul>
 * A request without a session cookie is not a browser session, so there is nothing to forge. A refusal is a 403
 * problem+json naming {@code csrf-token}; nothing runs and nothing changes.
 */
@ApplicationScoped
public class CsrfRule {
    public static final String HEADER = "X-CSRF-Token";
    public static final String FIELD = "csrf-token";
    public static final String COOKIE = "csrf-token";
    /** The form-login session cookie and the OIDC code-flow session cookies ({@code q_session}, chunked too). */
    static final String FORM_SESSION = "quarkus-credential";
    static final String OIDC_SESSION_PREFIX = "q_session";
    private static final Set<HttpMethod> UNSAFE = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
            HttpMethod.DELETE);

    @Inject
    RawProblems problems;

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 2).handler(this::check);
    }

    void check(RoutingContext rc) {
        if (!needsToken(rc)) {
            rc.next();
            return;
        }
        String header = rc.request().getHeader(HEADER);
        if (header != null) {
            Cookie cookie = rc.request().getCookie(COOKIE);
            if (cookie != null && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8),
                    cookie.getValue().getBytes(StandardCharsets.UTF_8))) {
                rc.next();
            } else {
                refuse(rc, "the " + HEADER + " header does not match this session's CSRF token; reload the page");
            }
            return;
        }
        if (isForm(rc.request().getHeader("Content-Type"))) {
            // The form field is in the body: the REST CSRF filter reads and checks it (see CsrfFormRefusals).
            rc.put(CsrfFormRefusals.FORM_CHECK, Boolean.TRUE);
            rc.next();
            return;
        }
        refuse(rc, "a request authenticated by a session cookie must carry the CSRF token in the " + HEADER
                + " header or the " + FIELD + " form field");
    }

    static boolean needsToken(RoutingContext rc) {
        if (!UNSAFE.contains(rc.request().method()) || rc.request().getHeader("Authorization") != null) {
            return false;
        }
        String path = rc.normalizedPath();
        if (path.startsWith("/hooks/") || path.equals("/j_security_check")) {
            return false;
        }
        for (Cookie c : rc.request().cookies()) {
            if (c.getName().equals(FORM_SESSION) || c.getName().startsWith(OIDC_SESSION_PREFIX)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isForm(String contentType) {
        if (contentType == null) {
            return false;
        }
        String t = contentType.toLowerCase();
        return t.startsWith("application/x-www-form-urlencoded") || t.startsWith("multipart/form-data");
    }

    private void refuse(RoutingContext rc, String detail) {
        problems.send(rc, RawProblems.problem(403, "Forbidden", detail, FIELD));
    }
}
