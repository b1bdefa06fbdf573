package dev.berth.tenants;

import dev.berth.api.ApiException;
import dev.berth.apps.AppForms;
import dev.berth.apps.AppRequests;
import dev.berth.apps.AppService;
import dev.berth.apps.AppView;
import dev.berth.audit.AuditView;
import dev.berth.identity.Role;
import dev.berth.identity.TenantContext;
import dev.berth.releases.RegionRolloutView;
import dev.berth.releases.RegionRollouts;
import dev.berth.ui.Flash;
import dev.berth.ui.Form;
import dev.berth.ui.HtmlErrors;
import dev.berth.ui.FormInput;
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
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * An app's page: its addresses, live status in each region, configuration and history, and the forms that scale
 * it, change its image, resources and variables, set or remove secrets, and delete it. Secret values are never
 * rendered, only their names. The status part is also served alone so the page can refresh it in place; the
 * regions part (what each region serves, waves, rollout progress and health) is served by {@code ReleasePages}.
 */
@Path("/t/{tenant}/apps/{app}")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class AppPages {
    static final int HISTORY = 30;

    @Inject
    TenantContext tenant;
    @Inject
    AppService apps;
    @Inject
    RegionRollouts rollouts;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance detail(String tenant, AppView app, RegionRolloutView regions,
                List<AuditView> history, Form settings, Form scale, Form autoscaling, Form secrets, Form remove,
                boolean canEdit, String flash);

        static native TemplateInstance detail$status(String tenant, AppView app);
    }

    @GET
    public TemplateInstance detail(@PathParam("tenant") String slug, @PathParam("app") String name,
            @QueryParam("ok") String ok) {
        return page(name, null, null, Form.empty(), Flash.message(ok));
    }

    /** The live-status fragment, polled by the page's script every few seconds. */
    @GET
    @Path("status")
    public TemplateInstance status(@PathParam("tenant") String slug, @PathParam("app") String name) {
        return Templates.detail$status(tenant.slug(), apps.get(tenant.tenantId(), tenant.slug(), name));
    }

    @POST
    public Response update(@PathParam("tenant") String slug, @PathParam("app") String name, AppForms.Fields form) {
        try {
            apps.update(tenant.tenantId(), tenant.slug(), name, form.toUpdate());
            return done(name, "app-updated");
        } catch (ApiException e) {
            AppView current = apps.get(tenant.tenantId(), tenant.slug(), name);
            Map<String, String> values = new java.util.LinkedHashMap<>(AppForms.valuesOf(current));
            values.putAll(form.values());
            return HtmlErrors.refused(e, page(name, Form.of(values).failed(e), null, Form.empty(), null));
        }
    }

    /** Scales the app; a refusal shows in the scale form, next to the replicas, with the number the user sent. */
    @POST
    @Path("scale")
    public Response scale(@PathParam("tenant") String slug, @PathParam("app") String name,
            @RestForm("replicas") String replicas) {
        try {
            List<dev.berth.api.FieldError> errors = new java.util.ArrayList<>();
            Integer count = FormInput.number("replicas", replicas, errors);
            if (count == null && errors.isEmpty()) {
                errors.add(new dev.berth.api.FieldError("replicas", "is required"));
            }
            FormInput.throwIfAny(errors);
            apps.update(tenant.tenantId(), tenant.slug(), name, new AppRequests.Update(null, null, count, null, null,
                    null, null, null, null));
            return done(name, "app-scaled");
        } catch (ApiException e) {
            Form scale = Form.of(Map.of("replicas", replicas == null ? "" : replicas)).failed(e);
            return HtmlErrors.refused(e, page(name, null, scale, Form.empty(), null));
        }
    }

    @POST
    @Path("secrets")
    public Response setSecret(@PathParam("tenant") String slug, @PathParam("app") String name,
            @RestForm("secretName") String secretName, @RestForm("secretValue") String secretValue) {
        String key = secretName == null ? "" : secretName.trim();
        try {
            if (secretValue == null || secretValue.isEmpty()) {
                throw ApiException.invalid("secretEnv." + key, "needs a value");
            }
            apps.update(tenant.tenantId(), tenant.slug(), name, new AppRequests.Update(null, null, null, null, null,
                    null, null, Map.of(key, secretValue), null));
            return done(name, "secret-set");
        } catch (ApiException e) {
            return HtmlErrors.refused(e, page(name, null, null, Form.of(Map.of("secretName", key)).failed(e), null));
        }
    }

    @POST
    @Path("secrets/remove")
    public Response removeSecret(@PathParam("tenant") String slug, @PathParam("app") String name,
            @RestForm("secretName") String secretName) {
        try {
            apps.update(tenant.tenantId(), tenant.slug(), name, new AppRequests.Update(null, null, null, null, null,
                    null, null, null, List.of(secretName == null ? "" : secretName)));
            return done(name, "secret-removed");
        } catch (ApiException e) {
            return HtmlErrors.refused(e, page(name, null, null, Form.empty().failed(e), null));
        }
    }

    private Response done(String app, String flash) {
        return Response.seeOther(URI.create("/t/" + tenant.slug() + "/apps/" + app + "?ok=" + flash)).build();
    }

    /** The page; a null settings or scale form is filled in from the app as it is. */
    private TemplateInstance page(String name, Form settings, Form scale, Form secrets, String flash) {
        AppView app = apps.get(tenant.tenantId(), tenant.slug(), name);
        List<AuditView> history = apps.history(tenant.tenantId(), name, HISTORY);
        return Templates.detail(tenant.slug(), app, rollouts.view(tenant.tenantId(), tenant.slug(), name), history,
                settings == null ? Form.of(AppForms.valuesOf(app)) : settings,
                scale == null ? Form.of(Map.of("replicas", String.valueOf(app.replicas()))) : scale, Form.empty(),
                secrets, Form.empty(), tenant.role().atLeast(Role.DEVELOPER), flash);
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
