package dev.berth.regions;

import dev.berth.identity.CurrentUser;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** JSON API for regions (clusters) and their health. */
@Path("/api/v1/regions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Regions")
public class RegionResource {
    @Inject
    RegionService regions;
    @Inject
    CurrentUser user;

    @GET
    public List<RegionView> list() {
        return regions.listWithHealth().stream().map(r -> RegionView.of(r, user.isPlatformAdmin())).toList();
    }

    @GET
    @Path("{region}")
    public RegionView get(@PathParam("region") String name) {
        return RegionView.of(regions.require(name), user.isPlatformAdmin());
    }
}
