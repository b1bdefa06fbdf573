package dev.berth.web;

import dev.berth.api.Page;
import dev.berth.api.ApiException;
import dev.berth.api.FieldError;
import dev.berth.identity.CurrentUser;
import dev.berth.quotas.QuotasConfig;
import dev.berth.regions.RegionService;
import dev.berth.regions.RegionView;
import dev.berth.tenants.TenantRequests;
import dev.berth.tenants.TenantService;
import dev.berth.tenants.TenantView;
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
 * The tenant list every signed-in person starts from (their tenants with usage against limits) and, for platform
 * admins, the platform overview: all tenants, region health and the form that creates a tenant.
 */
@Path("/tenants")
@Produces(MediaType.TEXT_HTML)
public class OverviewPages {
    static final int PAGE_SIZE = 50;

    @Inject
    TenantService tenants;
    @Inject
    RegionService regions;
    @Inject
    CurrentUser user;
    @Inject
    QuotasConfig quotasConfig;
    @Inject
    dev.berth.builds.executors.BuildStorage buildStorage;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance tenants(List<TenantView> tenants, long total, int page, boolean hasNext,
                String q, List<RegionView> regions, dev.berth.builds.executors.BuildStorage.Usage buildStorage, Form newTenant,
                String flash);
    }

    /** The fields of the new-tenant form, named as in the API. */
    public static class NewTenant {
        @RestForm
        public String slug;
        @RestForm
        public String displayName;
        @RestForm
        public String cpu;
        @RestForm
        public String memory;
        @RestForm
        public String pods;
        @RestForm
        public String apps;
        @RestForm
        public String owners;
        @RestForm
        public String plan;

        Map<String, String> values() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("slug", slug);
            m.put("displayName", displayName);
            m.put("cpu", cpu);
            m.put("memory", memory);
            m.put("pods", pods);
            m.put("apps", apps);
            m.put("owners", owners);
            m.put("plan", plan);
            return m;
        }
    }

    @GET
    public TemplateInstance list(@QueryParam("page") Integer page, @QueryParam("ok") String ok,
            @QueryParam("q") String q) {
        return page(page, dev.berth.tenants.TenantService.search(q), Form.of(Map.of("plan", quotasConfig.defaultPlan())),
                Flash.message(ok));
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(NewTenant form) {
        try {
            if (!user.isPlatformAdmin()) {
                throw ApiException.forbidden("only platform admins create tenants");
            }
            List<FieldError> errors = new ArrayList<>();
            TenantRequests.Create req = new TenantRequests.Create(FormInput.text(form.slug),
                    FormInput.text(form.displayName), FormInput.text(form.cpu), FormInput.text(form.memory),
                    FormInput.number("pods", form.pods, errors), FormInput.number("apps", form.apps, errors),
                    FormInput.text(form.owners) == null ? null : FormInput.commaList(form.owners), FormInput.text(form.plan), null);
            FormInput.throwIfAny(errors);
            TenantView created = tenants.create(req);
            return Response.seeOther(URI.create("/t/" + created.slug() + "?ok=tenant-created")).build();
        } catch (ApiException e) {
            if (e.status() == 403) {
                throw e;
            }
            return HtmlErrors.refused(e, page(0, null, Form.of(form.values()).failed(e), null));
        }
    }

    private TemplateInstance page(Integer requested, String q, Form newTenant, String flash) {
        int p = requested == null ? 0 : Math.max(0, requested);
        Page<TenantView> found = tenants.pageVisible(p, PAGE_SIZE, q, null);
        List<TenantView> visible = found.items();
        long total = found.total();
        List<RegionView> health = user.isPlatformAdmin()
                ? regions.listWithHealth().stream().map(r -> RegionView.of(r, true)).toList() : List.of();
        return Templates.tenants(visible, total, p, (long) (p + 1) * PAGE_SIZE < total, q, health,
                user.isPlatformAdmin() ? buildStorage.usage() : null, newTenant, flash);
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
