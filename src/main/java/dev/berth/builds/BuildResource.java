package dev.berth.builds;

import dev.berth.builds.run.BuildLog;
import dev.berth.identity.CurrentUser;
import dev.berth.identity.TenantContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** JSON API for an app's builds: request, list, read, cancel, and the log (live as Server-Sent Events, or as text). */
@Path("/api/v1/tenants/{tenant}/apps/{app}/builds")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Builds")
public class BuildResource {
    @Inject
    BuildService builds;
    @Inject
    BuildLogStream stream;
    @Inject
    BuildLog logs;
    @Inject
    TenantContext tenant;
    @Inject
    CurrentUser user;

    /** Optional body of a build request: a specific commit of the app's branch or tag instead of its newest. */
    public record BuildRequest(String commitSha) {
    }

    @POST
    @Operation(summary = "Queue a build of the app's branch or tag (or of one commit of it)")
    public Response request(@PathParam("tenant") String slug, @PathParam("app") String app, BuildRequest req) {
        BuildView b = builds.request(tenant.tenantId(), tenant.slug(), app, req == null ? null : req.commitSha(), "api",
                user.subject());
        return Response.created(URI.create("/api/v1/tenants/" + tenant.slug() + "/apps/" + app + "/builds/" + b.number()))
                .entity(b).build();
    }

    @GET
    @Operation(summary = "The app's builds, newest first", description = "`limit` builds (50 unless given, at most"
            + " 500). For the next page pass the `number` of the page's last build as `before`: it is read by keyset,"
            + " at the same cost at any depth.")
    public List<BuildView> list(@PathParam("tenant") String slug, @PathParam("app") String app,
            @QueryParam("limit") Integer limit, @QueryParam("before") Integer before) {
        return builds.list(tenant.tenantId(), app, limit == null ? 50 : Math.max(1, Math.min(500, limit)), before);
    }

    @GET
    @Path("{number}")
    public BuildView get(@PathParam("tenant") String slug, @PathParam("app") String app, @PathParam("number") int number) {
        return builds.get(tenant.tenantId(), app, number);
    }

    @POST
    @Path("{number}/cancel")
    @Operation(summary = "Cancel a queued or running build; its workspace is removed")
    public BuildView cancel(@PathParam("tenant") String slug, @PathParam("app") String app,
            @PathParam("number") int number) {
        return builds.cancel(tenant.tenantId(), tenant.slug(), app, number);
    }

    @GET
    @Path("{number}/log")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "The build log as it is written: one 'log' event per line (id = line number), then 'end'")
    public void streamLog(@PathParam("tenant") String slug, @PathParam("app") String app,
            @PathParam("number") int number, @HeaderParam("Last-Event-ID") String lastEventId,
            @Context SseEventSink sink, @Context Sse sse) {
        long id = builds.id(tenant.tenantId(), app, number);
        int after = 0;
        try {
            after = lastEventId == null ? 0 : Math.max(0, Integer.parseInt(lastEventId.trim()));
        } catch (NumberFormatException e) {
            // a malformed Last-Event-ID replays the whole log
        }
        stream.follow(id, after, sink, sse);
    }

    @GET
    @Path("{number}/log")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The build log so far, as plain text")
    public String log(@PathParam("tenant") String slug, @PathParam("app") String app, @PathParam("number") int number) {
        long id = builds.id(tenant.tenantId(), app, number);
        StringBuilder out = new StringBuilder();
        logs.read(id, 0, 200_000).forEach(l -> out.append(l.text()).append('\n'));
        return out.toString();
    }
}
