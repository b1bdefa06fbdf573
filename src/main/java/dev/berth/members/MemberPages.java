package dev.berth.members;

import dev.berth.api.ApiException;
import dev.berth.identity.RequiresRole;
import dev.berth.identity.Role;
import dev.berth.identity.TenantContext;
import dev.berth.ui.Form;
import dev.berth.ui.HtmlErrors;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateExtension;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The members page of a tenant: every member sees who is in it and with which role; owners add members by user
 * name or e-mail address, change roles and remove members. The same rules as the API apply (one owner at least).
 */
@Path("/t/{tenant}/members")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class MemberPages {
    private static final Map<String, String> MESSAGES = Map.of(
            "added", "Member added.",
            "changed", "Role changed.",
            "removed", "Member removed.");

    @Inject
    TenantContext tenant;
    @Inject
    Members members;

    /** A member as the page shows them. */
    @TemplateData
    public record Row(String subject, String username, String email, String role, Instant since) {
        static Row of(Map<String, Object> m) {
            return new Row((String) m.get("subject"), (String) m.get("username"), (String) m.get("email"),
                    (String) m.get("role"), (Instant) m.get("since"));
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance members(String tenant, String role, List<Row> members, Form add, boolean owner,
                String flash, String error);
    }

    @GET
    public TemplateInstance page(@PathParam("tenant") String slug, @QueryParam("ok") String ok) {
        return render(Form.of(Map.of("role", "developer")), ok == null ? null : MESSAGES.get(ok), null);
    }

    @POST
    @RequiresRole(Role.OWNER)
    public Response add(@PathParam("tenant") String slug, @RestForm String user, @RestForm String role) {
        try {
            members.put(tenant.tenantId(), user, role, "user");
            return done("added");
        } catch (ApiException e) {
            Form form = Form.of(Map.of("user", user == null ? "" : user, "role", role == null ? "" : role)).failed(e);
            return HtmlErrors.refused(e, render(form, null, null));
        }
    }

    @POST
    @Path("{subject}/role")
    @RequiresRole(Role.OWNER)
    public Response role(@PathParam("tenant") String slug, @PathParam("subject") String subject,
            @RestForm String role) {
        try {
            members.put(tenant.tenantId(), subject, role, "subject");
            return done("changed");
        } catch (ApiException e) {
            return HtmlErrors.refused(e, render(Form.of(Map.of("role", "developer")), null, e.getMessage()));
        }
    }

    @POST
    @Path("{subject}/remove")
    @RequiresRole(Role.OWNER)
    public Response remove(@PathParam("tenant") String slug, @PathParam("subject") String subject) {
        try {
            members.remove(tenant.tenantId(), subject);
            return done("removed");
        } catch (ApiException e) {
            return HtmlErrors.refused(e, render(Form.of(Map.of("role", "developer")), null, e.getMessage()));
        }
    }

    private Response done(String code) {
        return Response.seeOther(URI.create("/t/" + tenant.slug() + "/members?ok=" + code)).build();
    }

    private TemplateInstance render(Form add, String flash, String error) {
        List<Row> rows = members.list(tenant.tenantId()).stream().map(Row::of).toList();
        return Templates.members(tenant.slug(), tenant.role().value(), rows, add, tenant.role() == Role.OWNER, flash,
                error);
    }

    /** A subject as one path segment of a form's action. */
    @TemplateExtension
    static String urlEncode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
