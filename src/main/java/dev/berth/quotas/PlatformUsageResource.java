package dev.berth.quotas;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.identity.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
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
 * Usage across all tenants, for platform admins: the tenants near or over a limit in the latest sample, and every
 * tenant's sampled history as JSON or as a CSV or JSON download (streamed: it can be large).
 */
@Path("/api/v1/usage")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.PLATFORM_ADMIN)
@Tag(name = "Usage")
public class PlatformUsageResource {
    static final int WATCH_MAX = 200;

    @Inject
    UsageService usage;
    @Inject
    UsageHistory history;
    @Inject
    ObjectMapper json;

    /** The tenants near or over a limit as of one sample, most used first. */
    public record WatchView(Instant sampledAt, int nearLimitPercent, long total, List<UsageSample> tenants) {
    }

    @GET
    @Operation(summary = "Tenants at or above 80 % of a limit (apps, pods, CPU, memory, build minutes) in the latest "
            + "sample, most used first (platform admins)")
    public WatchView nearOrOver() {
        UsageHistory.Latest latest = history.nearOrOver(usage.nearLimitPercent(), WATCH_MAX);
        Instant at = latest.samples().isEmpty() ? null : latest.samples().get(0).at();
        return new WatchView(at, usage.nearLimitPercent(), latest.total(), latest.samples());
    }

    @GET
    @Path("history")
    @Operation(summary = "Every tenant's (or ?tenant='s) sampled use and limits in [from, to) (default: the last "
            + "24 h), ordered by tenant and time (platform admins)")
    public Response history(@QueryParam("tenant") String tenant, @QueryParam("from") String from,
            @QueryParam("to") String to) {
        UsageRange range = UsageRange.parse(from, to, Duration.ofHours(24));
        return Response.ok(UsageExport.body(history, UsageExport.Format.JSON, null, blankToNull(tenant), range,
                usage.interval(), json), MediaType.APPLICATION_JSON).build();
    }

    @GET
    @Path("export")
    @Produces({ "text/csv", MediaType.APPLICATION_JSON })
    @Operation(summary = "Download every tenant's (or ?tenant='s) sampled history in [from, to) (default: the last "
            + "24 h) as CSV with a header row (format=csv, the default) or JSON (platform admins)")
    public Response export(@QueryParam("tenant") String tenant, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("format") String format) {
        UsageExport.Format f = UsageExport.Format.parse(format);
        UsageRange range = UsageRange.parse(from, to, Duration.ofHours(24));
        String t = blankToNull(tenant);
        return UsageExport.download(UsageExport.body(history, f, null, t, range, usage.interval(), json), f,
                t == null ? "usage" : "usage-" + t);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
