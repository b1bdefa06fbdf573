package dev.berth.regions;

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

/** JSON API for regions (clusters) and their health; platform admins register, change and delete them. */
@Path("/api/v1/regions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Regions")
public class RegionResource {
    @Inject
    RegionService regions;
    @Inject
    RegionAdmin admin;
    @Inject
    CurrentUser user;

    @GET
    public List<RegionView> list() {
        return regions.views(user.isPlatformAdmin());
    }

    @GET
    @Path("{region}")
    public RegionView get(@PathParam("region") String name) {
        return regions.view(name, user.isPlatformAdmin());
    }

    @POST
    @RolesAllowed(Role.PLATFORM_ADMIN)
    @Operation(summary = "Register a region (platform admins): the connection is checked before it is stored")
    public Response create(RegionRequest req) {
        Region r = admin.create(req);
        return Response.created(URI.create("/api/v1/regions/" + r.name)).entity(regions.view(r.name, true)).build();
    }

    @PUT
    @Path("{region}")
    @RolesAllowed(Role.PLATFORM_ADMIN)
    @Operation(summary = "Change a region (platform admins); a new kubeconfig is checked before it is stored")
    public RegionView update(@PathParam("region") String name, RegionRequest req) {
        admin.update(name, req);
        return regions.view(name, true);
    }

    @DELETE
    @Path("{region}")
    @RolesAllowed(Role.PLATFORM_ADMIN)
    @Operation(summary = "Delete a region no app uses (platform admins); 409 names the apps that still use it")
    public Response delete(@PathParam("region") String name) {
        admin.delete(name);
        return Response.noContent().build();
    }
}
