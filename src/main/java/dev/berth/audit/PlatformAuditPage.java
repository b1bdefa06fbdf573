package dev.berth.audit;

import dev.berth.api.ApiException;
import dev.berth.identity.CurrentUser;
import dev.berth.ui.HtmlErrors;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The whole audit log as a page, for platform admins; the same page as a tenant's, plus a tenant filter. */
@Path("/audit")
@Produces(MediaType.TEXT_HTML)
public class PlatformAuditPage {
    @Inject
    CurrentUser user;

    @GET
    public Response all(@QueryParam("tenant") String tenant, @QueryParam("actor") String actor,
            @QueryParam("app") String app, @QueryParam("action") String action, @QueryParam("result") String result,
            @QueryParam("from") String from, @QueryParam("to") String to) {
        if (!user.isPlatformAdmin()) {
            throw ApiException.forbidden("only platform admins read the whole audit log; owners read their "
                    + "tenant's on its page");
        }
        AuditPages.Filter f = new AuditPages.Filter(tenant, actor, app, action, result, from, to);
        return AuditPages.render(null, "/audit", "/api/v1/audit/export", f, () ->
                AuditQuery.parse(null, tenant, actor, app, action, result, from, to, null, AuditPages.PAGE));
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
