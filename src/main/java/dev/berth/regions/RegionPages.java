package dev.berth.regions;

import dev.berth.api.ApiException;
import dev.berth.api.FieldError;
import dev.berth.identity.CurrentUser;
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
 * The regions pages: every cluster with its health (reachable, or unreachable since when), latency and last sync,
 * and whether it is the simulated sandbox. Platform admins also register regions here, change or delete them;
 * connection details and errors are shown to them only, a stored kubeconfig to nobody.
 */
@Path("/regions")
@Produces(MediaType.TEXT_HTML)
public class RegionPages {
    private static final Map<String, String> FLASH = Map.of("created", "Region registered: its connection works.",
            "saved", "Region saved.", "deleted", "Region deleted.");
    @Inject
    RegionService regions;
    @Inject
    RegionAdmin admin;
    @Inject
    CurrentUser user;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance regions(List<RegionView> regions, boolean admin, Form newRegion, String flash);

        static native TemplateInstance region(RegionView region, List<RegionView> asList, String editAction, Form edit,
                String flash);
    }

    /** The region form's fields, named as in the API. */
    public static class RegionForm {
        @RestForm
        public String name;
        @RestForm
        public String displayName;
        @RestForm
        public String city;
        @RestForm
        public String latitude;
        @RestForm
        public String longitude;
        @RestForm
        public String kubeconfig;
        @RestForm
        public String context;
        @RestForm
        public String baseDomain;
        @RestForm
        public String ingressClass;
        @RestForm
        public String tenants;
        @RestForm
        public String openToNewTenants;
        @RestForm
        public String publishesDns;
        @RestForm
        public String tlsIssuer;

        Map<String, String> values() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("displayName", displayName);
            m.put("city", city);
            m.put("latitude", latitude);
            m.put("longitude", longitude);
            m.put("context", context);
            m.put("baseDomain", baseDomain);
            m.put("ingressClass", ingressClass);
            m.put("tenants", tenants);
            m.put("openToNewTenants", openToNewTenants);
            m.put("publishesDns", publishesDns);
            m.put("tlsIssuer", tlsIssuer);
            return m;
        }

        RegionRequest request(boolean create) {
            List<FieldError> errors = new ArrayList<>();
            RegionRequest req = new RegionRequest(FormInput.text(name), FormInput.text(displayName),
                    create ? FormInput.text(city) : city == null ? null : city.trim(), decimal("latitude", latitude, errors),
                    decimal("longitude", longitude, errors), FormInput.text(kubeconfig), FormInput.text(context),
                    FormInput.text(baseDomain), FormInput.text(ingressClass), null,
                    tenants == null ? null : FormInput.commaList(tenants), "on".equals(openToNewTenants),
                    "on".equals(publishesDns), tlsIssuer == null ? null : tlsIssuer.trim());
            FormInput.throwIfAny(errors);
            return req;
        }

        private static Double decimal(String field, String s, List<FieldError> errors) {
            if (s == null || s.isBlank()) {
                return null;
            }
            try {
                return Double.valueOf(s.trim());
            } catch (NumberFormatException e) {
                errors.add(new FieldError(field, "must be a number such as 50.11"));
                return null;
            }
        }
    }

    @GET
    public TemplateInstance list(@QueryParam("ok") String ok) {
        return listPage(Form.empty(), FLASH.get(ok == null ? "" : ok));
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(RegionForm form) {
        requireAdmin();
        try {
            Region r = admin.create(form.request(true));
            return Response.seeOther(URI.create("/regions/" + r.name + "?ok=created")).build();
        } catch (ApiException e) {
            return HtmlErrors.refused(e, listPage(Form.of(form.values()).failed(e), null));
        }
    }

    @GET
    @Path("{region}")
    public TemplateInstance detail(@PathParam("region") String name, @QueryParam("ok") String ok) {
        RegionView r = regions.view(name, user.isPlatformAdmin());
        return regionPage(r, Form.of(values(r)), FLASH.get(ok == null ? "" : ok));
    }

    @POST
    @Path("{region}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response update(@PathParam("region") String name, RegionForm form) {
        requireAdmin();
        try {
            admin.update(name, form.request(false));
            return Response.seeOther(URI.create("/regions/" + name + "?ok=saved")).build();
        } catch (ApiException e) {
            if (e.status() == 404) {
                throw e;
            }
            return HtmlErrors.refused(e, regionPage(regions.view(name, true), Form.of(form.values()).failed(e), null));
        }
    }

    @POST
    @Path("{region}/delete")
    public Response delete(@PathParam("region") String name) {
        requireAdmin();
        try {
            admin.delete(name);
            return Response.seeOther(URI.create("/regions?ok=deleted")).build();
        } catch (ApiException e) {
            if (e.status() == 404) {
                throw e;
            }
            RegionView r = regions.view(name, true);
            return HtmlErrors.refused(e, regionPage(r, Form.of(values(r)).failed(e), null));
        }
    }

    private TemplateInstance listPage(Form newRegion, String flash) {
        boolean isAdmin = user.isPlatformAdmin();
        return Templates.regions(regions.views(isAdmin), isAdmin, newRegion, flash);
    }

    private static TemplateInstance regionPage(RegionView r, Form edit, String flash) {
        return Templates.region(r, List.of(r), "/regions/" + r.name(), edit, flash);
    }

    private void requireAdmin() {
        if (!user.isPlatformAdmin()) {
            throw ApiException.forbidden("only platform admins manage regions");
        }
    }

    private static Map<String, String> values(RegionView r) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("displayName", r.displayName());
        m.put("city", r.city());
        m.put("latitude", r.latitude() == null ? "" : String.valueOf(r.latitude()));
        m.put("longitude", r.longitude() == null ? "" : String.valueOf(r.longitude()));
        m.put("baseDomain", r.baseDomain());
        m.put("ingressClass", r.ingressClass());
        m.put("tenants", r.tenants() == null ? "" : String.join(", ", r.tenants()));
        m.put("openToNewTenants", Boolean.TRUE.equals(r.openToNewTenants()) ? "on" : "");
        m.put("publishesDns", r.publishesDns() ? "on" : "");
        m.put("tlsIssuer", r.tlsIssuer() == null ? "" : r.tlsIssuer());
        return m;
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
