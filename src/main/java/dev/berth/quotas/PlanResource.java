package dev.berth.quotas;

import dev.berth.identity.CurrentUser;
import dev.berth.identity.Role;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** JSON API for plans: everyone signed in may read them, platform admins manage them. */
@Path("/api/v1/plans")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Plans")
public class PlanResource {
    @Inject
    PlanService plans;
    @Inject
    CurrentUser user;

    @GET
    @Operation(summary = "Every plan with its limits; platform admins also see how many tenants are on it")
    public List<PlanView> list() {
        return plans.list(user.isPlatformAdmin());
    }

    @GET
    @Path("{plan}")
    public PlanView get(@PathParam("plan") String name) {
        return plans.get(name, user.isPlatformAdmin());
    }

    @POST
    @RolesAllowed(Role.PLATFORM_ADMIN)
    @Operation(summary = "Create a plan (platform admins); every limit is required")
    public Response create(PlanRequest req) {
        PlanView created = plans.create(req);
        return Response.created(URI.create("/api/v1/plans/" + created.name())).entity(created).build();
    }

    @PUT
    @Path("{plan}")
    @RolesAllowed(Role.PLATFORM_ADMIN)
    @Operation(summary = "Change a plan's limits (platform admins); every tenant on it follows in every region")
    public PlanView update(@PathParam("plan") String name, PlanRequest req) {
        return plans.update(name, req);
    }

    @DELETE
    @Path("{plan}")
    @RolesAllowed(Role.PLATFORM_ADMIN)
    @Operation(summary = "Delete a plan no tenant is on (platform admins)")
    public Response delete(@PathParam("plan") String name) {
        plans.delete(name);
        return Response.noContent().build();
    }
}
