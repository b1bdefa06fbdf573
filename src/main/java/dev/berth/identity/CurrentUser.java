package dev.berth.identity;

import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/** Who is calling, as Berth sees it: the subject members are keyed by, and whether they administer the platform. */
@RequestScoped
public class CurrentUser {
    @Inject
    SecurityIdentity identity;
    @Inject
    RoutingContext routing;

    public String subject() {
        return identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }

    public boolean isPlatformAdmin() {
        return identity.hasRole(Role.PLATFORM_ADMIN);
    }

    /** The API token the caller presented, or null for a person (session or OIDC bearer token). */
    public ApiTokenService.Grant token() {
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
        ApiTokenService.Grant grant = token();
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
