package dev.berth.audit;

import dev.berth.identity.RequiresRole;
import dev.berth.identity.Role;
import dev.berth.identity.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A tenant's audit log as JSON, for its owners: filter by actor, app, action (exact, or a prefix such as
 * {@code member.}), result and time range, and download the filtered log as a JSON file.
 */
@Path("/api/v1/tenants/{tenant}/audit")
@Produces(MediaType.APPLICATION_JSON)
@RequiresRole(Role.OWNER)
@Tag(name = "Audit log")
public class TenantAuditResource {
    static final int PAGE = 100;

    @Inject
    TenantContext tenant;

    @GET
    @Operation(summary = "The tenant's changes, newest first; filter by actor, app, action, result, from, to (owners)",
            description = "`limit` events (100 unless given). For the next page pass the `id` of the page's last event"
                    + " as `before`: it is read by keyset, at the same cost at any depth.")
    public List<AuditView> list(@PathParam("tenant") String slug, @QueryParam("actor") String actor,
            @QueryParam("app") String app, @QueryParam("action") String action, @QueryParam("result") String result,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("limit") Integer limit,
            @QueryParam("before") String before) {
        return run(AuditQuery.parse(tenant.tenantId(), null, actor, app, action, result, from, to, limit, PAGE,
                before));
    }

    @GET
    @Path("export")
    @Operation(summary = "Download the tenant's (filtered) audit log as a JSON file (owners)")
    public Response export(@PathParam("tenant") String slug, @QueryParam("actor") String actor,
            @QueryParam("app") String app, @QueryParam("action") String action, @QueryParam("result") String result,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("limit") Integer limit) {
        AuditQuery q = AuditQuery.parse(tenant.tenantId(), null, actor, app, action, result, from, to, limit,
                AuditQuery.MAX_LIMIT);
        return download(run(q), "audit-" + tenant.slug());
    }

    static List<AuditView> run(AuditQuery q) {
        return QuarkusTransaction.requiringNew().call(() -> q.run().stream().map(AuditView::of).toList());
    }

    /** The events as a JSON file the browser saves instead of showing. */
    static Response download(List<AuditView> events, String name) {
        String file = name.replaceAll("[^a-z0-9-]", "") + "-" + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                .toString().replace(":", "") + ".json";
        return Response.ok(events, MediaType.APPLICATION_JSON_TYPE)
                .header("Content-Disposition", "attachment; filename=\"" + file + "\"").build();
    }
}
