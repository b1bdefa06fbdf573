package dev.berth.builds.webhooks;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Push webhooks from Git hosts. Git hosts call without a login, so these paths are exempt from authentication
 * (application.properties); the per-app signature is the authentication and is always checked. The path names
 * its tenant {@code owner}, not {@code tenant}, on purpose: membership checks do not apply to Git hosts.
 */
@Path("/hooks/{owner}/{name}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@Tag(name = "Builds")
public class WebhookResource {
    @Inject
    WebhookService webhooks;

    @POST
    @Path("github")
    @Operation(summary = "GitHub push events (X-Hub-Signature-256)")
    public Response github(@PathParam("owner") String owner, @PathParam("name") String name, HttpHeaders h, byte[] body) {
        return answer(webhooks.receive(owner, name, new WebhookService.Delivery("github",
                h.getHeaderString("X-GitHub-Event"), h.getHeaderString("X-GitHub-Delivery"),
                h.getHeaderString("X-Hub-Signature-256"), body)));
    }

    @POST
    @Path("gitlab")
    @Operation(summary = "GitLab push and tag push events (X-Gitlab-Token)")
    public Response gitlab(@PathParam("owner") String owner, @PathParam("name") String name, HttpHeaders h, byte[] body) {
        String id = h.getHeaderString("Idempotency-Key") != null ? h.getHeaderString("Idempotency-Key")
                : h.getHeaderString("X-Gitlab-Event-UUID");
        return answer(webhooks.receive(owner, name, new WebhookService.Delivery("gitlab",
                h.getHeaderString("X-Gitlab-Event"), id, h.getHeaderString("X-Gitlab-Token"), body)));
    }

    @POST
    @Path("gitea")
    @Operation(summary = "Gitea and Forgejo push events (X-Gitea-Signature / X-Forgejo-Signature)")
    public Response gitea(@PathParam("owner") String owner, @PathParam("name") String name, HttpHeaders h, byte[] body) {
        String sig = h.getHeaderString("X-Forgejo-Signature") != null ? h.getHeaderString("X-Forgejo-Signature")
                : h.getHeaderString("X-Gitea-Signature");
        String event = h.getHeaderString("X-Forgejo-Event") != null ? h.getHeaderString("X-Forgejo-Event")
                : h.getHeaderString("X-Gitea-Event");
        String id = h.getHeaderString("X-Forgejo-Delivery") != null ? h.getHeaderString("X-Forgejo-Delivery")
                : h.getHeaderString("X-Gitea-Delivery");
        return answer(webhooks.receive(owner, name, new WebhookService.Delivery("gitea", event, id, sig, body)));
    }

    private static Response answer(WebhookService.Outcome o) {
        // 202 only when this delivery started the build; a replay of a push answers 200 with the build it started.
        return Response.status("queued".equals(o.status()) ? 202 : 200).entity(o).build();
    }
}
