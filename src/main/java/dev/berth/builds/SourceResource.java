package dev.berth.builds;

import dev.berth.builds.source.SourceRequest;
import dev.berth.builds.source.SourceService;
import dev.berth.builds.source.SourceView;
import dev.berth.builds.source.WebhookSetup;
import dev.berth.identity.TenantContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** JSON API for an app's repository connection and its webhook. Credentials go in and never come back out. */
@Path("/api/v1/tenants/{tenant}/apps/{app}/source")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Builds")
public class SourceResource {
    @Inject
    SourceService sources;
    @Inject
    WebhookSetup setup;
    @Inject
    TenantContext tenant;

    @GET
    @Operation(summary = "The app's repository, branch or tag, Dockerfile and build arguments (never credentials)")
    public SourceView get(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return sources.get(tenant.tenantId(), app);
    }

    @PUT
    @Operation(summary = "Connect or change the app's repository; a token or SSH deploy key is stored encrypted")
    public SourceView put(@PathParam("tenant") String slug, @PathParam("app") String app, SourceRequest req) {
        return sources.put(tenant.tenantId(), tenant.slug(), app, req);
    }

    @DELETE
    public Response delete(@PathParam("tenant") String slug, @PathParam("app") String app) {
        sources.delete(tenant.tenantId(), tenant.slug(), app);
        return Response.noContent().build();
    }

    @GET
    @Path("webhook")
    @Operation(summary = "Webhook URLs, secret and setup steps for GitHub, GitLab and Gitea/Forgejo (developers only)")
    @dev.berth.identity.RequiresRole(dev.berth.identity.Role.DEVELOPER)
    public WebhookSetup.Instructions webhook(@PathParam("tenant") String slug, @PathParam("app") String app,
            @Context UriInfo uri) {
        return setup.instructions(tenant.tenantId(), tenant.slug(), app, uri.getBaseUri().toString());
    }

    @POST
    @Path("webhook/rotate")
    @Operation(summary = "Replace the webhook secret; the old one stops working at once")
    public WebhookSetup.Instructions rotate(@PathParam("tenant") String slug, @PathParam("app") String app,
            @Context UriInfo uri) {
        sources.rotateWebhookSecret(tenant.tenantId(), tenant.slug(), app);
        return setup.instructions(tenant.tenantId(), tenant.slug(), app, uri.getBaseUri().toString());
    }
}
