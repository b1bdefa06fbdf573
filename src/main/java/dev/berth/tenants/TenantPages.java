package dev.berth.tenants;

import dev.berth.api.ApiException;
import dev.berth.api.FieldError;
import dev.berth.api.Page;
import dev.berth.apps.AppForms;
import dev.berth.apps.AppService;
import dev.berth.apps.AppSummary;
import dev.berth.apps.AppView;
import dev.berth.audit.AuditView;
import dev.berth.identity.CurrentUser;
import dev.berth.quotas.LimitsRequest;
import dev.berth.identity.Role;
import dev.berth.identity.TenantContext;
import dev.berth.ui.Flash;
import dev.berth.ui.Form;
import dev.berth.ui.FormInput;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A tenant's dashboard: its apps with their state in each region, quota use against limits, recent activity and
 * members, plus the forms that create an app and (for platform admins) change limits or delete the tenant.
 * {@code TenantAccessFilter} has resolved and authorized the tenant before any method here runs.
 */
@Path("/t/{tenant}")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class TenantPages {
    static final int ACTIVITY = 15;
    static final int APPS_PER_PAGE = Page.DEFAULT_SIZE;

    @Inject
    TenantContext tenant;
    @Inject
    TenantService tenants;
    @Inject
    AppService apps;
    @Inject
    Activity activity;
    @Inject
    CurrentUser user;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance dashboard(TenantView tenant, Page<AppSummary> apps, List<AuditView> activity,
                List<Activity.Member> members, Form newApp, Form limits, Form remove, boolean canEdit, boolean admin,
                String flash);
    }

    /**
     * The plan-and-overrides form, named as in the API ({@code overrides.*}). An empty override field means "as the
     * plan says": the form sends the whole set of overrides, which replaces the tenant's.
     */
    public static class LimitsForm {
        static final List<String> OVERRIDES = List.of("cpuRequest", "cpuLimit", "memoryRequest", "memoryLimit", "pods",
                "apps", "replicasPerApp", "concurrentBuilds", "buildMinutesPerMonth", "regions", "customDomains",
                "buildTimeoutMinutes");
        @RestForm
        public String displayName;
        @RestForm
        public String plan;
        @RestForm("overrides.cpuRequest")
        public String cpuRequest;
        @RestForm("overrides.cpuLimit")
        public String cpuLimit;
        @RestForm("overrides.memoryRequest")
        public String memoryRequest;
        @RestForm("overrides.memoryLimit")
        public String memoryLimit;
        @RestForm("overrides.pods")
        public String pods;
        @RestForm("overrides.apps")
        public String apps;
        @RestForm("overrides.replicasPerApp")
        public String replicasPerApp;
        @RestForm("overrides.concurrentBuilds")
        public String concurrentBuilds;
        @RestForm("overrides.buildMinutesPerMonth")
        public String buildMinutesPerMonth;
        @RestForm("overrides.regions")
        public String regions;
        @RestForm("overrides.customDomains")
        public String customDomains;
        @RestForm("overrides.buildTimeoutMinutes")
        public String buildTimeoutMinutes;

        Map<String, String> values() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("displayName", displayName);
            m.put("plan", plan);
            List<String> v = List.of(nz(cpuRequest), nz(cpuLimit), nz(memoryRequest), nz(memoryLimit), nz(pods),
                    nz(apps), nz(replicasPerApp), nz(concurrentBuilds), nz(buildMinutesPerMonth), nz(regions),
                    nz(customDomains), nz(buildTimeoutMinutes));
            for (int i = 0; i < OVERRIDES.size(); i++) {
                m.put("overrides." + OVERRIDES.get(i), v.get(i));
            }
            return m;
        }

        TenantRequests.UpdateLimits toRequest(List<FieldError> errors) {
            LimitsRequest overrides = new LimitsRequest(FormInput.text(cpuRequest), FormInput.text(cpuLimit),
                    FormInput.text(memoryRequest), FormInput.text(memoryLimit),
                    FormInput.number("overrides.pods", pods, errors), FormInput.number("overrides.apps", apps, errors),
                    FormInput.number("overrides.replicasPerApp", replicasPerApp, errors),
                    FormInput.number("overrides.concurrentBuilds", concurrentBuilds, errors),
                    FormInput.number("overrides.buildMinutesPerMonth", buildMinutesPerMonth, errors),
                    FormInput.number("overrides.regions", regions, errors),
                    FormInput.number("overrides.customDomains", customDomains, errors),
                    FormInput.number("overrides.buildTimeoutMinutes", buildTimeoutMinutes, errors));
            return new TenantRequests.UpdateLimits(FormInput.text(displayName), null, null, null, null,
                    FormInput.text(plan), overrides);
        }

        private static String nz(String s) {
            return s == null ? "" : s;
        }
    }

    @GET
    public TemplateInstance dashboard(@PathParam("tenant") String slug, @QueryParam("ok") String ok,
            @QueryParam("page") String appsPage) {
        return page(Page.page(appsPage), Form.of(AppForms.newAppDefaults()), null, Form.empty(), Flash.message(ok));
    }

    @POST
    @Path("apps")
    public Response createApp(@PathParam("tenant") String slug, AppForms.NewApp form) {
        try {
            AppView created = apps.create(tenant.tenantId(), tenant.slug(), form.toCreate());
            return Response.seeOther(URI.create("/t/" + tenant.slug() + "/apps/" + created.name() + "?ok=app-created"))
                    .build();
        } catch (ApiException e) {
            return HtmlErrors.refused(e, page(0, Form.of(form.values()).failed(e), null, Form.empty(), null));
        }
    }

    @POST
    @Path("limits")
    public Response limits(@PathParam("tenant") String slug, LimitsForm form) {
        requireAdmin();
        try {
            List<FieldError> errors = new ArrayList<>();
            TenantRequests.UpdateLimits req = form.toRequest(errors);
            FormInput.throwIfAny(errors);
            tenants.updateLimits(tenant.tenantId(), req);
            return Response.seeOther(URI.create("/t/" + tenant.slug() + "?ok=limits-saved")).build();
        } catch (ApiException e) {
            return HtmlErrors.refused(e, page(0, Form.of(AppForms.newAppDefaults()), Form.of(form.values()).failed(e),
                    Form.empty(), null));
        }
    }

    @POST
    @Path("delete")
    public Response delete(@PathParam("tenant") String slug, @RestForm String confirm) {
        requireAdmin();
        try {
            tenants.delete(tenant.tenantId(), confirm);
            return Response.seeOther(URI.create("/tenants?ok=tenant-deleted")).build();
        } catch (ApiException e) {
            Form remove = Form.of(Map.of("confirm", confirm == null ? "" : confirm)).failed(e);
            return HtmlErrors.refused(e, page(0, Form.of(AppForms.newAppDefaults()), null, remove, null));
        }
    }

    private void requireAdmin() {
        if (!user.isPlatformAdmin()) {
            throw ApiException.forbidden("only platform admins change a tenant's limits or delete it");
        }
    }

    /**
     * The dashboard with one page of apps ({@link #APPS_PER_PAGE} at a time); a null limits form is filled in from
     * the tenant's current limits.
     */
    private TemplateInstance page(int appsPage, Form newApp, Form limits, Form remove, String flash) {
        TenantView view = tenants.get(tenant.tenantId(), tenant.role());
        if (limits == null) {
            Map<String, String> values = new LinkedHashMap<>();
            values.put("displayName", view.displayName());
            values.put("plan", view.plan());
            view.overrides().forEach((k, v) -> values.put("overrides." + k, String.valueOf(v)));
            limits = Form.of(values);
        }
        return Templates.dashboard(view, apps.list(tenant.tenantId(), tenant.slug(), appsPage, APPS_PER_PAGE),
                activity.recentForTenant(tenant.tenantId(), ACTIVITY),
                Activity.Member.of(tenants.members(tenant.tenantId())), newApp, limits, remove,
                tenant.role().atLeast(Role.DEVELOPER), user.isPlatformAdmin(), flash);
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
