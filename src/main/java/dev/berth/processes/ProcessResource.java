package dev.berth.processes;

import dev.berth.identity.TenantContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** JSON API for an app's worker and cron processes and its release command. */
@Path("/api/v1/tenants/{tenant}/apps/{app}/processes")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Processes")
public class ProcessResource {
    @Inject
    ProcessService processes;
    @Inject
    TenantContext tenant;

    @GET
    @Operation(summary = "The app's worker and cron processes, its release command, and the CronJob API version of "
            + "each of its regions")
    public ProcessesView get(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return processes.get(tenant.tenantId(), app);
    }

    @PUT
    @Operation(summary = "Replace the app's worker and cron processes and its release command",
            description = "A change is a new release (image and configuration) that rolls out with the app's strategy. "
                    + "Workers count `replicas` x their resources, crons one pod, in every region of the app; a change "
                    + "the quota has no room for is refused (422 naming the process's field). Bad input is a 400 "
                    + "naming the field (`processes[0].schedule`).")
    public ProcessesView set(@PathParam("tenant") String slug, @PathParam("app") String app, ProcessesRequest req) {
        return processes.set(tenant.tenantId(), tenant.slug(), app, req);
    }
}
