package dev.berth.security;

import dev.berth.api.ApiException;
import dev.berth.identity.CurrentUser;
import dev.berth.ui.HtmlErrors;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The platform security log as a page, for platform admins. */
@Path("/security")
@Produces(MediaType.TEXT_HTML)
public class SecurityLogPage {
    @Inject
    CurrentUser user;
    @Inject
    SecurityLog log;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance events(List<SecurityEventView> events, String source);
    }

    @GET
    public TemplateInstance events(@QueryParam("source") String source) {
        if (!user.isPlatformAdmin()) {
            throw ApiException.forbidden("only platform admins read the security log");
        }
        String s = source == null || source.isBlank() ? null : source.trim();
        return Templates.events(log.newest(s, 200), s);
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
