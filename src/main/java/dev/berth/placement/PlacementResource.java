package dev.berth.placement;

import dev.berth.identity.TenantContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** JSON API for an app's placement across regions. The tenant is resolved and authorized before any method runs. */
@Path("/api/v1/tenants/{tenant}/apps/{app}/placement")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Regions")
public class PlacementResource {
    @Inject
    PlacementService placements;
    @Inject
    TenantContext tenant;
    @Inject
    Routing routing;

    @GET
    @Operation(summary = "Where the app runs: primary and replica regions, mode, waves")
    public PlacementView get(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return placements.get(tenant.tenantId(), app);
    }

    @PUT
    @Operation(summary = "Place the app: primary, replicas (or all regions), mode, waves; quota-checked per region")
    public PlacementView update(@PathParam("tenant") String slug, @PathParam("app") String app, PlacementRequest req) {
        return placements.update(tenant.tenantId(), tenant.slug(), app, req);
    }

    @GET
    @Path("/routing")
    @Operation(summary = "Routing table for geo-DNS: global host, per-region endpoints with weights and health, "
            + "and the external-dns DNSEndpoint")
    public RoutingTable routing(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return routing.table(tenant.tenantId(), tenant.slug(), app);
    }

    @POST
    @Path("purge")
    @Operation(summary = "Purge the app's edge caches in every replica region")
    public PlacementView purge(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return placements.purge(tenant.tenantId(), tenant.slug(), app);
    }
}
