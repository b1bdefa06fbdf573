package dev.berth.quotas;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.identity.TenantContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A tenant's usage for everyone in it (viewers included): current use against each limit, the sampled history as
 * JSON, and the history as a CSV or JSON download. {@code TenantAccessFilter} has authorized the tenant.
 */
@Path("/api/v1/tenants/{tenant}/usage")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Usage")
public class UsageResource {
    static final Duration HISTORY_SPAN = Duration.ofHours(24);
    static final Duration TENANT_EXPORT_SPAN = Duration.ofDays(30);

    @Inject
    TenantContext tenant;
    @Inject
    UsageService usage;
    @Inject
    UsageHistory history;
    @Inject
    ObjectMapper json;

    /** A tenant's samples in a range, oldest first. */
    public record HistoryView(String tenant, Instant from, Instant to, String interval, List<UsageSample> samples) {
    }

    @GET
    @Operation(summary = "Current use against every limit, with the limits near (>= 80 %) or over their value")
    public UsageNow now(@PathParam("tenant") String slug) {
        return usage.now(tenant.tenantId());
    }

    @GET
    @Path("history")
    @Operation(summary = "Sampled use and limits in [from, to) (ISO-8601 instants or dates; default: the last 24 h)")
    public HistoryView history(@PathParam("tenant") String slug, @QueryParam("from") String from,
            @QueryParam("to") String to) {
        UsageRange range = UsageRange.parse(from, to, HISTORY_SPAN);
        return new HistoryView(tenant.slug(), range.from(), range.to(), usage.interval(),
                history.forTenant(tenant.tenantId(), range));
    }

    @GET
    @Path("export")
    @Produces({ "text/csv", MediaType.APPLICATION_JSON })
    @Operation(summary = "Download the sampled history in [from, to) (default: the last 30 days) as CSV with a "
            + "header row (format=csv, the default) or JSON (format=json)")
    public Response export(@PathParam("tenant") String slug, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("format") String format) {
        UsageExport.Format f = UsageExport.Format.parse(format);
        UsageRange range = UsageRange.parse(from, to, TENANT_EXPORT_SPAN);
        return UsageExport.download(UsageExport.body(history, f, tenant.tenantId(), tenant.slug(), range,
                usage.interval(), json), f, "usage-" + tenant.slug());
    }
}
