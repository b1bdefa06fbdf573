package dev.berth.identity;

import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Who is calling, as Berth sees it: the subject members are keyed by, and whether they administer the platform. */
@RequestScoped
public class CurrentUser {
    @Inject
    SecurityIdentity identity;
    @Inject
    RoutingContext routing;

    /**
     * The stable key memberships are stored under: the token's {@code sub} claim for OIDC users (Keycloak's user
     * id, which survives renames), the user name for the local login, {@code token:<tenant>/<name>} for API tokens.
     */
    public String subject() {
        if (identity.isAnonymous()) {
            return "anonymous";
        }
        if (identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getSubject() != null) {
            return jwt.getSubject();
        }
        return identity.getPrincipal().getName();
    }

    /** The name people know the caller by (Keycloak's {@code preferred_username}); what pages and the audit show. */
    public String name() {
        return identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }

    public boolean isPlatformAdmin() {
        return identity.hasRole(Role.PLATFORM_ADMIN);
    }

    /** The API token the caller presented, or null for a person (session or OIDC bearer token). */
    public ApiTokens.Grant token() {
        return identity.getAttribute(ApiTokenAuthentication.GRANT_ATTRIBUTE);
    }

    /**
     * The caller's role in a tenant, or null when the caller may not see it. Platform admins act as owners; an
     * API token has its own role in its one tenant and none elsewhere.
     */
    public Role roleIn(long tenantId) {
        if (identity.isAnonymous()) {
            return null;
        }
        ApiTokens.Grant grant = token();
        if (grant != null) {
            return grant.tenantId() == tenantId ? grant.role() : null;
        }
        if (isPlatformAdmin()) {
            return Role.OWNER;
        }
        Membership m = Membership.find(tenantId, subject());
        return m == null ? null : m.roleEnum();
    }

    public boolean isAnonymous() {
        return identity.isAnonymous();
    }

    /** The caller's address, for the audit log. */
    public String sourceAddress() {
        try {
            return routing.request().remoteAddress() == null ? null : routing.request().remoteAddress().hostAddress();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
