package dev.berth.metrics;

import dev.berth.identity.TenantContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** JSON API for an app's CPU and memory history. */
@Path("/api/v1/tenants/{tenant}/apps/{app}/metrics")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Apps")
public class MetricsResource {
    @Inject
    MetricsService metrics;
    @Inject
    TenantContext tenant;

    @GET
    @Operation(summary = "The app's CPU (millicores) and memory (bytes) per region over time, summed over its pods, "
            + "with each pod's requests and limits",
            description = "`from` and `to` are ISO-8601 instants or dates (default: the last 6 hours, at most 31 "
                    + "days); `region` narrows it to one region. A region whose cluster serves no metrics API says "
                    + "\"no metrics API in this region\" in `note`.")
    public MetricsView get(@PathParam("tenant") String slug, @PathParam("app") String app,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("region") String region) {
        return metrics.series(tenant.tenantId(), app, from, to, region);
    }
}
