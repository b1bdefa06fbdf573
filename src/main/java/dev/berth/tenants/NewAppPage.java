package dev.berth.tenants;

import dev.berth.api.ApiException;
import dev.berth.apps.AppForms;
import dev.berth.identity.RequiresRole;
import dev.berth.identity.Role;
import dev.berth.identity.TenantContext;
import dev.berth.ui.Form;
import dev.berth.ui.HtmlErrors;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The new-app form of a tenant, on a page of its own so the dashboard renders no form (ADR 0029). It posts to
 * {@code /t/{tenant}/apps} ({@link TenantPages#createApp}), which shows this page again with the refused fields.
 * A path of its own, not a method of {@link TenantPages}: the literal {@code new} must win over
 * {@code /t/{tenant}/apps/{app}} (app names cannot be {@code new}, {@code Names}).
 */
@Path("/t/{tenant}/apps/new")
@Produces(MediaType.TEXT_HTML)
public class NewAppPage {
    @Inject
    TenantContext tenant;

    @GET
    @RequiresRole(Role.DEVELOPER)
    public TemplateInstance form(@PathParam("tenant") String slug) {
        return TenantPages.Templates.newApp(tenant.slug(), tenant.role().value(), Form.of(AppForms.newAppDefaults()));
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
