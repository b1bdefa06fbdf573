package dev.berth.apps;

import dev.berth.identity.TenantContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** JSON API for an app's autoscaler (a sub-resource, like its deploy settings and placement). */
@Path("/api/v1/tenants/{tenant}/apps/{app}/autoscaling")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Apps")
public class AutoscalingResource {
    @Inject
    AutoscalingService autoscaling;
    @Inject
    TenantContext tenant;

    @GET
    @Operation(summary = "The app's autoscaler and, per region, its status: current and desired replicas, last "
            + "scale time and conditions, and the disruption budgets' status")
    public AutoscalingView get(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return autoscaling.get(tenant.tenantId(), tenant.slug(), app);
    }

    @PUT
    @Operation(summary = "Set or change the app's autoscaler (min and max replicas, CPU and optional memory target)",
            description = "The tenant's quota counts `maxReplicas`; a maximum the quota has no room for is refused "
                    + "(422 naming `maxReplicas`). The autoscaler owns the serving Deployment's replicas from then on.")
    public AutoscalingView set(@PathParam("tenant") String slug, @PathParam("app") String app,
            AutoscalingRequest req) {
        return autoscaling.set(tenant.tenantId(), tenant.slug(), app, req);
    }

    @DELETE
    @Operation(summary = "Remove the app's autoscaler: its replicas are fixed again (the app's `replicas`)")
    public Response remove(@PathParam("tenant") String slug, @PathParam("app") String app) {
        autoscaling.remove(tenant.tenantId(), tenant.slug(), app);
        return Response.noContent().build();
    }
}
