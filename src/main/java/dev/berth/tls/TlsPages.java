package dev.berth.tls;

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
 * The app page's TLS card: its live part (mode, certificate, per region the host and the certificate's state),
 * refreshed in place, and the form that switches HTTPS on (cert-manager or an uploaded certificate and key), changes
 * the redirect or switches it off. The key is never put back into a form, not even a refused one.
 */
@Path("/t/{tenant}/apps/{app}/tls")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class TlsPages {
    @Inject
    TenantContext tenant;
    @Inject
    TlsService tls;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance status(String tenant, String app, TlsView view);

        static native TemplateInstance edit(String tenant, String app, TlsView view, Form form, boolean canEdit);
    }

    /** The live part, polled by the app page every few seconds. */
    @GET
    @Path("status")
    public TemplateInstance status(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return Templates.status(tenant.slug(), app, tls.get(tenant.tenantId(), tenant.slug(), app));
    }

    @GET
    public TemplateInstance edit(@PathParam("tenant") String slug, @PathParam("app") String app) {
        TlsView view = tls.get(tenant.tenantId(), tenant.slug(), app);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("mode", view.mode() == null ? "cert-manager" : view.mode());
        values.put("sslRedirect", view.mode() == null || view.sslRedirect() ? "true" : "");
        values.put("certificate", "");
        return Templates.edit(tenant.slug(), app, view, Form.of(values), tenant.role().atLeast(Role.DEVELOPER));
    }

    @POST
    public Response set(@PathParam("tenant") String slug, @PathParam("app") String app,
            @RestForm("mode") String mode, @RestForm("certificate") String certificate, @RestForm("key") String key,
            @RestForm("sslRedirect") String sslRedirect) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("mode", mode);
        values.put("sslRedirect", sslRedirect == null ? "" : "true");
        values.put("certificate", certificate == null ? "" : certificate);
        try {
            tls.set(tenant.tenantId(), tenant.slug(), app, new TlsRequest(mode, blank(certificate), blank(key),
                    sslRedirect != null));
            return done(app, "tls-saved");
        } catch (ApiException e) {
            TlsView view = tls.get(tenant.tenantId(), tenant.slug(), app);
            return HtmlErrors.refused(e, Templates.edit(tenant.slug(), app, view, Form.of(values).failed(e), true));
        }
    }

    @POST
    @Path("remove")
    public Response remove(@PathParam("tenant") String slug, @PathParam("app") String app) {
        tls.remove(tenant.tenantId(), tenant.slug(), app);
        return done(app, "tls-removed");
    }

    private static String blank(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    private Response done(String app, String flash) {
        return Response.seeOther(URI.create("/t/" + tenant.slug() + "/apps/" + app + "?ok=" + flash + "#tls")).build();
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
