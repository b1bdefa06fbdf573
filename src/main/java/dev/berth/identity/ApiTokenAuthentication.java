package dev.berth.identity;

import dev.berth.api.RawProblems;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;

/**
 * Authenticates Berth API tokens ({@code Authorization: Bearer berth_...}) ahead of OIDC. Other bearer tokens are
 * left to the OIDC mechanism; a {@code berth_} token that is unknown, revoked or expired gets 401 and goes no
 * further.
 */
@ApplicationScoped
public class ApiTokenAuthentication implements HttpAuthenticationMechanism {
    @Inject
    RawProblems problems;
    public static final String GRANT_ATTRIBUTE = "berth.token";
    private static final String BEARER = "Bearer ";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String secret = presented(context);
        if (secret == null) {
            return Uni.createFrom().nullItem();
        }
        return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(new ApiTokenRequest(secret), context));
    }

    /**
     * Challenges callers who presented a Berth token and every unauthenticated call to the JSON API with a plain
     * 401, which is what API clients expect; pages get the challenge of the login mechanism (a redirect).
     */
    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        boolean api = context.normalizedPath().startsWith("/api/");
        return presented(context) == null && !api ? Uni.createFrom().nullItem()
                : Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"berth\""));
    }

    /**
     * Sends the challenge above with a problem+json body (401 naming how to authenticate), so API clients get the
     * same error shape as for every other refusal.
     */
    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        boolean api = context.normalizedPath().startsWith("/api/");
        if (presented(context) == null && !api) {
            return Uni.createFrom().item(false);
        }
        context.response().putHeader("WWW-Authenticate", "Bearer realm=\"berth\"");
        problems.send(context, RawProblems.problem(401, "Unauthorized", "sign in, or send an API token as "
                + "'Authorization: Bearer berth_...'; a token that is unknown, revoked or expired is refused", null));
        return Uni.createFrom().item(true);
    }

    private static String presented(RoutingContext context) {
        String header = context.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String secret = header.substring(BEARER.length()).trim();
        return secret.startsWith(ApiTokens.PREFIX) ? secret : null;
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiTokenRequest.class);
    }

    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }

    /** Turns a presented token into an identity carrying its grant; the tenant filter enforces the scope. */
    @ApplicationScoped
    public static class Provider implements IdentityProvider<ApiTokenRequest> {
        @Inject
        ApiTokens tokens;

        @Override
        public Class<ApiTokenRequest> getRequestType() {
            return ApiTokenRequest.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(ApiTokenRequest request, AuthenticationRequestContext context) {
            return context.runBlocking(() -> {
                ApiTokens.Grant grant = tokens.authenticate(request.secret());
                if (grant == null) {
                    throw new AuthenticationFailedException("unknown, revoked or expired API token");
                }
                return QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal("token:" + grant.tenantSlug() + "/" + grant.name()))
                        .addAttribute(GRANT_ATTRIBUTE, grant)
                        .build();
            });
        }
    }
}
