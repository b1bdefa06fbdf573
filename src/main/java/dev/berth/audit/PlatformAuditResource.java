package dev.berth.audit;

import dev.berth.identity.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The whole audit log as JSON, for platform admins: every tenant's changes and refused attempts, with the same
 * filters as a tenant's log plus the tenant, and a JSON download.
 */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.PLATFORM_ADMIN)
@Tag(name = "Audit log")
public class PlatformAuditResource {

    @GET
    @Operation(summary = "Every tenant's changes, newest first; filter by tenant, actor, app, action, result, from, "
            + "to (platform admins)", description = "`limit` events (100 unless given). For the next page pass the `id`"
                    + " of the page's last event as `before`: it is read by keyset, at the same cost at any depth.")
    public List<AuditView> list(@QueryParam("tenant") String tenant, @QueryParam("actor") String actor,
            @QueryParam("app") String app, @QueryParam("action") String action, @QueryParam("result") String result,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("limit") Integer limit,
            @QueryParam("before") String before) {
        return TenantAuditResource.run(AuditQuery.parse(null, tenant, actor, app, action, result, from, to, limit,
                TenantAuditResource.PAGE, before));
    }

    @GET
    @Path("export")
    @Operation(summary = "Download the whole (filtered) audit log as a JSON file (platform admins)")
    public Response export(@QueryParam("tenant") String tenant, @QueryParam("actor") String actor,
            @QueryParam("app") String app, @QueryParam("action") String action, @QueryParam("result") String result,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("limit") Integer limit) {
        AuditQuery q = AuditQuery.parse(null, tenant, actor, app, action, result, from, to, limit,
                AuditQuery.MAX_LIMIT);
        return TenantAuditResource.download(TenantAuditResource.run(q), tenant == null ? "audit" : "audit-" + tenant);
    }
}
