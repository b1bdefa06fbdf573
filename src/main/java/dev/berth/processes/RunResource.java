package dev.berth.processes;

import dev.berth.api.ApiException;
import dev.berth.identity.TenantContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** JSON API for one-off runs of a command from an app's current release (and the release commands' runs). */
@Path("/api/v1/tenants/{tenant}/apps/{app}/runs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Processes")
public class RunResource {
    @Inject
    RunService runs;
    @Inject
    RunLogs logs;
    @Inject
    TenantContext tenant;

    @POST
    @Operation(summary = "Run a command once from the app's current release, as a Job in one region",
            description = "`command` is the argv (`[\"bin/rake\", \"db:seed\"]`); `region` defaults to the app's "
                    + "primary region. The run holds one pod of the app's size against the quota while it runs (422 "
                    + "naming `command` when there is no room). Answers 201 with the run, `pending` at first.")
    public Response start(@PathParam("tenant") String slug, @PathParam("app") String app, RunRequest req) {
        RunView v = runs.start(tenant.tenantId(), tenant.slug(), app, req);
        return Response.created(URI.create("/api/v1/tenants/" + tenant.slug() + "/apps/" + app + "/runs/" + v.id()))
                .entity(v).build();
    }

    @GET
    @Operation(summary = "The app's recent runs (one-off runs and release commands), newest first")
    public List<RunView> list(@PathParam("tenant") String slug, @PathParam("app") String app,
            @QueryParam("limit") @DefaultValue("20") String limit) {
        int n;
        try {
            n = Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            throw ApiException.invalid("limit", "must be a number from 1 to " + RunService.MAX_LISTED);
        }
        if (n < 1 || n > RunService.MAX_LISTED) {
            throw ApiException.invalid("limit", "must be a number from 1 to " + RunService.MAX_LISTED);
        }
        return runs.recent(tenant.tenantId(), app, n);
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One run: state (pending, running, succeeded, failed, lost), exit code, start and end")
    public RunView get(@PathParam("tenant") String slug, @PathParam("app") String app, @PathParam("id") String id) {
        return runs.get(tenant.tenantId(), app, id(id));
    }

    @GET
    @Path("{id}/log")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The run's log: read from its pod while the Job exists, the last lines kept once it finished")
    public String log(@PathParam("tenant") String slug, @PathParam("app") String app, @PathParam("id") String id) {
        return logs.log(tenant.tenantId(), tenant.slug(), app, id(id));
    }

    private static long id(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("run", id);
        }
    }
}
