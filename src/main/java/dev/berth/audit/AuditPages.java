package dev.berth.audit;

import dev.berth.api.ApiException;
import dev.berth.identity.RequiresRole;
import dev.berth.identity.Role;
import dev.berth.identity.TenantContext;
import dev.berth.ui.HtmlErrors;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The audit log as a page: a tenant's owners see their tenant's ({@code /t/{tenant}/audit}), platform admins
 * everything ({@code /audit}). A GET form filters it, and a link downloads the same selection as JSON.
 */
@Path("/t/{tenant}/audit")
@Produces(MediaType.TEXT_HTML)
public class AuditPages {
    static final int PAGE = 200;
    @Inject
    TenantContext tenant;

    /** The filter as the form shows it, and the query string that repeats it for the download link. */
    @TemplateData
    public record Filter(String tenant, String actor, String app, String action, String result, String from,
            String to) {
        public String query() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("tenant", tenant);
            m.put("actor", actor);
            m.put("app", app);
            m.put("action", action);
            m.put("result", result);
            m.put("from", from);
            m.put("to", to);
            return m.entrySet().stream().filter(e -> e.getValue() != null && !e.getValue().isBlank())
                    .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance log(String tenant, String action, String export, Filter filter,
                List<AuditView> events, int max, String error);
    }

    @GET
    @RequiresRole(Role.OWNER)
    public Response tenantLog(@PathParam("tenant") String slug, @QueryParam("actor") String actor,
            @QueryParam("app") String app, @QueryParam("action") String action, @QueryParam("result") String result,
            @QueryParam("from") String from, @QueryParam("to") String to) {
        Filter f = new Filter(null, actor, app, action, result, from, to);
        String base = "/t/" + tenant.slug() + "/audit";
        return render(tenant.slug(), base, "/api/v1/tenants/" + tenant.slug() + "/audit/export", f, () ->
                AuditQuery.parse(tenant.tenantId(), null, actor, app, action, result, from, to, null, PAGE));
    }

    static Response render(String tenantSlug, String action, String export, Filter f,
            java.util.function.Supplier<AuditQuery> query) {
        List<AuditView> events = List.of();
        String error = null;
        int status = 200;
        try {
            events = TenantAuditResource.run(query.get());
        } catch (ApiException e) {
            error = e.getMessage();
            status = e.status();
        }
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(Templates.log(tenantSlug, action, export, f, events, PAGE, error).render()).build();
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
