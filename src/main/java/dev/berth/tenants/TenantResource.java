package dev.berth.tenants;

import dev.berth.api.ApiException;
import dev.berth.api.Page;
import dev.berth.identity.PlatformAdminOnly;
import dev.berth.identity.RequiresRole;
import dev.berth.identity.Role;
import dev.berth.identity.TenantContext;
import dev.berth.members.Members;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** JSON API for tenants, their members and their audit log. Tenant access is checked by TenantAccessFilter. */
@Path("/api/v1/tenants")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Tenants")
public class TenantResource {
    @Inject
    TenantService tenants;
    @Inject
    TenantContext tenant;
    @Inject
    Members members;

    @GET
    @Operation(summary = "Tenants the caller may see (all of them for platform admins)",
            description = "By slug. `page` counts from 0; `size` is 50 unless given, at most 200. `q` keeps the tenants"
                    + " whose slug or display name contains it (any case); `total` counts them. `next` is the cursor of"
                    + " the following page (null on the last): pass it as `after` to read the tenants after it, at the"
                    + " same cost at any depth (`after` and `page` exclude each other).")
    public Page<TenantView> list(@QueryParam("page") String page, @QueryParam("size") String size,
            @QueryParam("q") String q, @QueryParam("after") String after) {
        return tenants.pageVisible(Page.page(page), Page.size(size), TenantService.search(q), Page.after(after, page));
    }

    @POST
    @RolesAllowed(Role.PLATFORM_ADMIN)
    @Operation(summary = "Create a tenant (platform admins)")
    public Response create(TenantRequests.Create req) {
        TenantView created = tenants.create(req);
        return Response.created(URI.create("/api/v1/tenants/" + created.slug())).entity(created).build();
    }

    @GET
    @Path("{tenant}")
    public TenantView get(@PathParam("tenant") String slug) {
        return tenants.get(tenant.tenantId(), tenant.role());
    }

    @PUT
    @Path("{tenant}")
    @PlatformAdminOnly
    @Operation(summary = "Change a tenant's display name or limits (platform admins)")
    public TenantView update(@PathParam("tenant") String slug, TenantRequests.UpdateLimits req) {
        return tenants.updateLimits(tenant.tenantId(), req);
    }

    @DELETE
    @Path("{tenant}")
    @PlatformAdminOnly
    @Operation(summary = "Delete a tenant, its apps and namespaces; ?confirm= must repeat the tenant's name")
    public Response delete(@PathParam("tenant") String slug, @QueryParam("confirm") String confirm) {
        tenants.delete(tenant.tenantId(), confirm);
        return Response.noContent().build();
    }

    @GET
    @Path("{tenant}/members")
    public List<Map<String, Object>> members(@PathParam("tenant") String slug) {
        return tenants.members(tenant.tenantId());
    }

    @POST
    @Path("{tenant}/members")
    @RequiresRole(Role.OWNER)
    @Operation(summary = "Add a member by user name or e-mail address known to the identity provider, with a role")
    public Response addMember(@PathParam("tenant") String slug, TenantRequests.NewMember req) {
        if (req == null) {
            throw ApiException.invalid("user", "is required");
        }
        return Response.status(201).entity(members.put(tenant.tenantId(), req.user(), req.role(), "user")).build();
    }

    @PUT
    @Path("{tenant}/members/{subject}")
    @RequiresRole(Role.OWNER)
    @Operation(summary = "Add a member or change their role (owner, developer, viewer); {subject} is the member's "
            + "subject, user name or e-mail address. The last owner cannot be demoted (409).")
    public List<Map<String, Object>> putMember(@PathParam("tenant") String slug, @PathParam("subject") String subject,
            TenantRequests.Member req) {
        members.put(tenant.tenantId(), subject, req == null ? null : req.role(), "subject");
        return tenants.members(tenant.tenantId());
    }

    @DELETE
    @Path("{tenant}/members/{subject}")
    @RequiresRole(Role.OWNER)
    @Operation(summary = "Remove a member; the last owner cannot be removed (409)")
    public Response removeMember(@PathParam("tenant") String slug, @PathParam("subject") String subject) {
        members.remove(tenant.tenantId(), subject);
        return Response.noContent().build();
    }
}
