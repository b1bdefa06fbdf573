package dev.berth.members;

import dev.berth.identity.RequiresRole;
import dev.berth.identity.Role;
import dev.berth.identity.TenantContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** JSON API for a tenant's API tokens; owners only. The secret is in the create response and nowhere else. */
@Path("/api/v1/tenants/{tenant}/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RequiresRole(Role.OWNER)
@Tag(name = "API tokens")
public class ApiTokenResource {
    @Inject
    ApiTokenService tokens;
    @Inject
    TenantContext tenant;

    @GET
    public List<ApiTokenView> list(@PathParam("tenant") String slug) {
        return tokens.list(tenant.tenantId());
    }

    @POST
    @Operation(summary = "Create a token (role, optional app, expiry in days); its secret is shown only in this response")
    public Response create(@PathParam("tenant") String slug, ApiTokenService.Create req) {
        return Response.status(201).entity(tokens.create(tenant.tenantId(), req)).build();
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Revoke a token; it stops working at once")
    public Response revoke(@PathParam("tenant") String slug, @PathParam("id") long id) {
        tokens.revoke(tenant.tenantId(), id);
        return Response.noContent().build();
    }
}
