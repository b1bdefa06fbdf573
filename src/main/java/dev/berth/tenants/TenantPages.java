package dev.berth.tenants;

import dev.berth.api.ApiException;
import dev.berth.api.FieldError;
import dev.berth.api.Page;
import dev.berth.apps.AppForms;
import dev.berth.apps.AppService;
import dev.berth.apps.AppSummary;
import dev.berth.apps.AppView;
import dev.berth.identity.CurrentUser;
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
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A tenant's dashboard (its apps with their state in each region, quota use against limits, usage, regions, recent
 * activity and members), its settings page (plan and limits, changed by platform admins, and the tenant's deletion)
 * and the posts of the new-app, limits and deletion forms. The new-app form is on its own page ({@link NewAppPage}),
 * so the dashboard renders no form (ADR 0029). {@code TenantAccessFilter} has resolved and authorized the tenant
 * before any method here runs.
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
    TenantDashboard dashboard;
    @Inject
    AppService apps;
    @Inject
    CurrentUser user;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance dashboard(TenantDashboard.View page, TenantView tenant,
                Page<AppSummary> apps, boolean canEdit, boolean admin, String flash);

        static native TemplateInstance newApp(String slug, String role, Form newApp);

        static native TemplateInstance settings(TenantView tenant, Form limits, Form remove, boolean admin,
                String flash);
    }

    @GET
    public TemplateInstance dashboard(@PathParam("tenant") String slug, @QueryParam("ok") String ok,
            @QueryParam("page") String appsPage) {
        TenantDashboard.View page = dashboard.read(tenant.tenantId(), tenant.role(), Page.page(appsPage),
                APPS_PER_PAGE, ACTIVITY);
        return Templates.dashboard(page, page.tenant(), page.apps(), tenant.role().atLeast(Role.DEVELOPER),
                user.isPlatformAdmin(), Flash.message(ok));
    }

    /** Plan and limits (a form for platform admins, read-only for everyone else) and the tenant's deletion. */
    @GET
    @Path("settings")
    public TemplateInstance settings(@PathParam("tenant") String slug, @QueryParam("ok") String ok) {
        return settingsPage(null, Form.empty(), Flash.message(ok));
    }

    @POST
    @Path("apps")
    public Response createApp(@PathParam("tenant") String slug, AppForms.NewApp form) {
        try {
            AppView created = apps.create(tenant.tenantId(), tenant.slug(), form.toCreate());
            return Response.seeOther(URI.create("/t/" + tenant.slug() + "/apps/" + created.name() + "?ok=app-created"))
                    .build();
        } catch (ApiException e) {
            return HtmlErrors.refused(e, Templates.newApp(tenant.slug(), tenant.role().value(),
                    Form.of(form.values()).failed(e)));
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
            return Response.seeOther(URI.create("/t/" + tenant.slug() + "/settings?ok=limits-saved")).build();
        } catch (ApiException e) {
            return HtmlErrors.refused(e, settingsPage(Form.of(form.values()).failed(e), Form.empty(), null));
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
            return HtmlErrors.refused(e, settingsPage(null, remove, null));
        }
    }

    private void requireAdmin() {
        if (!user.isPlatformAdmin()) {
            throw ApiException.forbidden("only platform admins change a tenant's limits or delete it");
        }
    }

    /** The settings page; a null limits form is filled in from the tenant's current plan and overrides. */
    private TemplateInstance settingsPage(Form limits, Form remove, String flash) {
        TenantView view = dashboard.tenant(tenant.tenantId(), tenant.role());
        return Templates.settings(view, limits != null ? limits : Form.of(LimitsForm.valuesOf(view)), remove,
                user.isPlatformAdmin(), flash);
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
