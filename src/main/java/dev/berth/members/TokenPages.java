package dev.berth.members;

import dev.berth.api.ApiException;
import dev.berth.api.FieldError;
import dev.berth.identity.RequiresRole;
import dev.berth.identity.Role;
import dev.berth.identity.TenantContext;
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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The API tokens page of a tenant (owners only, like the API): every token with its role, scope, expiry and last
 * use; a form that creates one and shows its secret exactly once, with copy-paste examples for CI jobs; and
 * revocation. The page that shows a secret is the answer to the POST itself, marked {@code no-store}, so the secret
 * never appears in a URL, a redirect or the browser's cache.
 */
@Path("/t/{tenant}/tokens")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
@RequiresRole(Role.OWNER)
public class TokenPages {
    static final Map<String, String> DEFAULTS = Map.of("role", "developer", "expiresInDays", "90");

    @Inject
    TenantContext tenant;
    @Inject
    ApiTokenService tokens;
    @Context
    UriInfo uri;

    /** A token just created: its secret and what a CI job needs to use it. */
    public record Created(String name, String secret, String api, String appsUrl, String tenant, String app) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance tokens(String tenant, List<ApiTokenView> tokens, Form create, Created created,
                String flash);
    }

    @GET
    public TemplateInstance page(@PathParam("tenant") String slug, @QueryParam("ok") String ok) {
        return render(Form.of(DEFAULTS), null, "revoked".equals(ok) ? "Token revoked. It stops working at once." : null);
    }

    @POST
    public Response create(@PathParam("tenant") String slug, @RestForm String name, @RestForm String role,
            @RestForm String app, @RestForm String expiresInDays) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("name", name == null ? "" : name);
        values.put("role", role == null ? "" : role);
        values.put("app", app == null ? "" : app);
        values.put("expiresInDays", expiresInDays == null ? "" : expiresInDays);
        try {
            List<FieldError> errors = new ArrayList<>();
            Integer days = FormInput.number("expiresInDays", expiresInDays, errors);
            FormInput.throwIfAny(errors);
            String scope = FormInput.text(app);
            ApiTokenService.Issued issued = tokens.create(tenant.tenantId(),
                    new ApiTokenService.Create(FormInput.text(name), FormInput.text(role), scope, days));
            String api = uri.getBaseUri().toString().replaceAll("/+$", "") + "/api/v1";
            String appsUrl = api + "/tenants/" + tenant.slug() + "/apps" + (scope == null ? "" : "/" + scope);
            Created created = new Created(issued.token().name(), issued.secret(), api, appsUrl, tenant.slug(), scope);
            return Response.ok(render(Form.of(DEFAULTS), created, null)).header("Cache-Control", "no-store").build();
        } catch (ApiException e) {
            return HtmlErrors.refused(e, render(Form.of(values).failed(e), null, null));
        }
    }

    @POST
    @Path("{id}/revoke")
    public Response revoke(@PathParam("tenant") String slug, @PathParam("id") long id) {
        tokens.revoke(tenant.tenantId(), id);
        return Response.seeOther(URI.create("/t/" + tenant.slug() + "/tokens?ok=revoked")).build();
    }

    private TemplateInstance render(Form create, Created created, String flash) {
        return Templates.tokens(tenant.slug(), tokens.list(tenant.tenantId()), create, created, flash);
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
