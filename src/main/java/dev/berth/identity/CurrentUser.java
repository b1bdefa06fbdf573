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
