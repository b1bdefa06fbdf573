package dev.berth.apps;

import dev.berth.api.ApiException;
import dev.berth.identity.Role;
import dev.berth.identity.TenantContext;
import dev.berth.ui.Form;
import dev.berth.ui.HtmlErrors;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The app page's autoscaling card: its live part (the autoscaler's settings and, per region, current and desired
 * replicas, the last scale and its conditions, the disruption budgets), refreshed in place, and the form that sets,
 * changes or removes the autoscaler. A refused form comes back on a page of its own with the values and the errors.
 */
@Path("/t/{tenant}/apps/{app}/autoscaling")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class AutoscalingPages {
    static final String[] FIELDS = {"minReplicas", "maxReplicas", "cpuPercent", "memoryPercent"};
    @Inject
    TenantContext tenant;
    @Inject
    AutoscalingService autoscaling;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance status(String tenant, String app, AutoscalingView view);

        static native TemplateInstance edit(String tenant, String app, AutoscalingView view, Form form,
                boolean canEdit);
    }

    /** The live part, polled by the app page every few seconds. */
    @GET
    @Path("status")
    public TemplateInstance status(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return Templates.status(tenant.slug(), app, autoscaling.get(tenant.tenantId(), tenant.slug(), app));
    }

    /** The card on a page of its own, with the form filled in from the autoscaler as it is. */
    @GET
    public TemplateInstance edit(@PathParam("tenant") String slug, @PathParam("app") String app) {
        AutoscalingView view = autoscaling.get(tenant.tenantId(), tenant.slug(), app);
        return Templates.edit(tenant.slug(), app, view, Form.of(values(view.autoscaler())),
                tenant.role().atLeast(Role.DEVELOPER));
    }

    @POST
    public Response set(@PathParam("tenant") String slug, @PathParam("app") String app,
            @RestForm("minReplicas") String min, @RestForm("maxReplicas") String max,
            @RestForm("cpuPercent") String cpu, @RestForm("memoryPercent") String memory) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("minReplicas", min);
        values.put("maxReplicas", max);
        values.put("cpuPercent", cpu);
        values.put("memoryPercent", memory);
        try {
            autoscaling.set(tenant.tenantId(), tenant.slug(), app, new AutoscalingRequest(number("minReplicas", min),
                    number("maxReplicas", max), number("cpuPercent", cpu), number("memoryPercent", memory)));
            return done(app, "autoscaler-saved");
        } catch (ApiException e) {
            AutoscalingView view = autoscaling.get(tenant.tenantId(), tenant.slug(), app);
            return HtmlErrors.refused(e, Templates.edit(tenant.slug(), app, view, Form.of(values).failed(e), true));
        }
    }

    @POST
    @Path("remove")
    public Response remove(@PathParam("tenant") String slug, @PathParam("app") String app) {
        autoscaling.remove(tenant.tenantId(), tenant.slug(), app);
        return done(app, "autoscaler-removed");
    }

    private Response done(String app, String flash) {
        return Response.seeOther(URI.create("/t/" + tenant.slug() + "/apps/" + app + "?ok=" + flash + "#autoscaling"))
                .build();
    }

    /** A form field as a whole number; empty is absent. */
    static Integer number(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(text.trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalid(field, "must be a whole number");
        }
    }

    private static Map<String, String> values(AutoscalingRequest a) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String f : FIELDS) {
            m.put(f, "");
        }
        if (a != null) {
            m.put("minReplicas", Integer.toString(a.minReplicas()));
            m.put("maxReplicas", Integer.toString(a.maxReplicas()));
            m.put("cpuPercent", Integer.toString(a.cpuPercent()));
            m.put("memoryPercent", a.memoryPercent() == null ? "" : Integer.toString(a.memoryPercent()));
        }
        return m;
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
