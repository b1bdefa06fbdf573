package dev.berth.metrics;

import dev.berth.api.ApiException;
import dev.berth.identity.TenantContext;
import dev.berth.ui.HtmlErrors;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The app page's CPU and memory card: per region, the average use per pod over the last hours against the pod's
 * request and limit (millicores, MiB), or why a region has no numbers ("no metrics API in this region").
 */
@Path("/t/{tenant}/apps/{app}/metrics")
@Produces(MediaType.TEXT_HTML)
public class MetricsPages {
    @Inject
    TenantContext tenant;
    @Inject
    MetricsService metrics;

    /** A region's two charts, or its note when it has no numbers. */
    public record RegionCharts(String region, String metricsApi, String note, MetricsChart cpu,
            MetricsChart memory) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance charts(String tenant, String app, List<RegionCharts> regions);
    }

    /** The live part of the card, polled by the app page. */
    @GET
    @Path("charts")
    public TemplateInstance charts(@PathParam("tenant") String slug, @PathParam("app") String app) {
        MetricsView view = metrics.series(tenant.tenantId(), app, null, null, null);
        return Templates.charts(tenant.slug(), app, charts(view));
    }

    static List<RegionCharts> charts(MetricsView view) {
        List<RegionCharts> out = new ArrayList<>();
        for (MetricsView.RegionMetrics r : view.regions()) {
            List<MetricsChart.Point> cpu = new ArrayList<>();
            List<MetricsChart.Point> memory = new ArrayList<>();
            for (MetricsView.Point p : r.points()) {
                double pods = Math.max(1, p.pods());
                cpu.add(new MetricsChart.Point(p.at(), Math.round(p.cpuMillis() / pods)));
                memory.add(new MetricsChart.Point(p.at(), Math.round(p.memoryBytes() / pods)));
            }
            out.add(new RegionCharts(r.region(), r.metricsApi(), r.note(),
                    MetricsChart.of("cpu", "CPU per pod", r.region(), cpu, r.cpuRequestMillis(), r.cpuLimitMillis(),
                            view.from(), view.to(), v -> v + "m"),
                    MetricsChart.of("memory", "Memory per pod", r.region(), memory, r.memoryRequestBytes(),
                            r.memoryLimitBytes(), view.from(), view.to(), MetricsPages::mib)));
        }
        return out;
    }

    static String mib(long bytes) {
        double mib = bytes / (1024.0 * 1024.0);
        return (mib >= 100 ? String.valueOf(Math.round(mib)) : String.format(java.util.Locale.ROOT, "%.1f", mib))
                + " MiB";
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
