package dev.berth.identity;

import dev.berth.api.ApiException;
import dev.berth.tenancy.Tenant;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.lang.reflect.Method;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The single place where tenant access is decided. Every request whose path names a {@code {tenant}} passes
 * here before its resource method runs: the tenant is looked up, the caller's membership checked, and the
 * needed role compared. A caller who is not a member gets 404, exactly as if the tenant did not exist, so other
 * tenants' names cannot be probed; a member without the role gets 403.
 */
public class TenantAccessFilter {
    @Inject
    CurrentUser user;
    @Inject
    TenantContext context;
    @Inject
    ResourceInfo resourceInfo;

    @ServerRequestFilter
    public void authorize(ContainerRequestContext request) {
        String slug = request.getUriInfo().getPathParameters().getFirst("tenant");
        if (slug == null) {
            return;
        }
        Tenant tenant = Tenant.findBySlug(slug);
        Role role = tenant == null ? null : user.roleIn(tenant.id);
        if (role == null) {
            context.markStranger();
            throw ApiException.notFound("tenant", slug);
        }
        ApiTokens.Grant grant = user.token();
        if (grant != null && grant.app() != null) {
            // An app-scoped token sees its one app and nothing else of the tenant, not even the app list.
            String app = request.getUriInfo().getPathParameters().getFirst("app");
            if (!grant.app().equals(app)) {
                throw ApiException.notFound(app == null ? "tenant" : "app", app == null ? slug : app);
            }
        }
        Method method = resourceInfo.getResourceMethod();
        if (method != null && method.isAnnotationPresent(PlatformAdminOnly.class) && !user.isPlatformAdmin()) {
            throw ApiException.forbidden("only platform admins may do this");
        }
        Role needed = needed(request.getMethod());
        if (!role.atLeast(needed)) {
            throw ApiException.forbidden("this needs the " + needed.value() + " role in tenant '" + slug
                    + "'; you are " + role.value());
        }
        context.set(tenant.id, tenant.slug, role);
    }

    private Role needed(String httpMethod) {
        Method method = resourceInfo.getResourceMethod();
        RequiresRole onMethod = method == null ? null : method.getAnnotation(RequiresRole.class);
        if (onMethod != null) {
            return onMethod.value();
        }
        RequiresRole onClass = resourceInfo.getResourceClass() == null ? null
                : resourceInfo.getResourceClass().getAnnotation(RequiresRole.class);
        if (onClass != null) {
            return onClass.value();
        }
        return httpMethod.equals("GET") || httpMethod.equals("HEAD") ? Role.VIEWER : Role.DEVELOPER;
    }
}
