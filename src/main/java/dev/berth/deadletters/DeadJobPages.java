package dev.berth.deadletters;

import dev.berth.api.ApiException;
import dev.berth.identity.CurrentUser;
import dev.berth.jobs.DeadJob;
import dev.berth.ui.HtmlErrors;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The dead letters as a page for platform admins: every dead job with its last error and a Retry button that says
 * what the retry will do. A refused retry (409) shows the page again with the reason.
 */
@Path("/jobs")
@Produces(MediaType.TEXT_HTML)
public class DeadJobPages {
    @Inject
    CurrentUser user;
    @Inject
    DeadLetters letters;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance dead(List<DeadJob> jobs, List<String> queues, String queue, String done,
                String refused);
    }

    @GET
    public TemplateInstance dead(@QueryParam("queue") String queue, @QueryParam("ok") String ok) {
        requireAdmin();
        String q = queue == null || queue.isBlank() || !letters.queues().contains(queue.trim()) ? null : queue.trim();
        return page(q, "retried".equals(ok) ? "Retried: the job is in its queue again." : null, null);
    }

    @POST
    @Path("{queue}/{id}/retry")
    public Response retry(@PathParam("queue") String queue, @PathParam("id") String id) {
        requireAdmin();
        try {
            letters.retry(queue, id);
            return Response.seeOther(URI.create("/jobs?ok=retried")).build();
        } catch (ApiException e) {
            if (e.status() == 404) {
                throw e;
            }
            return HtmlErrors.refused(e, page(null, null, e.getMessage()));
        }
    }

    private TemplateInstance page(String queue, String done, String refused) {
        return Templates.dead(letters.list(queue), letters.queues(), queue, done, refused);
    }

    private void requireAdmin() {
        if (!user.isPlatformAdmin()) {
            throw ApiException.forbidden("only platform admins see the job queues' dead letters");
        }
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
