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
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Deleting an app from the pages: it takes the app's name typed into {@code confirm}, checked here on the server,
 * so a stray click or a replayed form deletes nothing. The page says what goes (everything the app runs in every
 * region) and what stays (its audit history). The JSON API's {@code DELETE} is unchanged for CI clients.
 */
@Path("/t/{tenant}/apps/{app}/delete")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class AppDeletePages {
    @Inject
    TenantContext tenant;
    @Inject
    AppService apps;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance confirm(String tenant, AppView app, Form form, boolean canEdit);
    }

    /** The confirmation on a page of its own (the app page carries the same form in its danger zone). */
    @GET
    public TemplateInstance confirm(@PathParam("tenant") String slug, @PathParam("app") String name) {
        return page(name, Form.empty());
    }

    @POST
    public Response delete(@PathParam("tenant") String slug, @PathParam("app") String name,
            @RestForm String confirm) {
        String typed = confirm == null ? "" : confirm.trim();
        AppView app = apps.get(tenant.tenantId(), tenant.slug(), name);
        if (!app.name().equals(typed)) {
            ApiException e = ApiException.invalid("confirm", "type the app's name '" + app.name()
                    + "' to confirm the deletion");
            return HtmlErrors.refused(e, page(name, Form.of(Map.of("confirm", typed)).failed(e)));
        }
        apps.delete(tenant.tenantId(), tenant.slug(), name);
        return Response.seeOther(URI.create("/t/" + tenant.slug() + "?ok=app-deleted")).build();
    }

    private TemplateInstance page(String name, Form form) {
        return Templates.confirm(tenant.slug(), apps.get(tenant.tenantId(), tenant.slug(), name), form,
                tenant.role().atLeast(Role.DEVELOPER));
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
