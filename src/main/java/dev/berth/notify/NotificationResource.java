package dev.berth.notify;

import dev.berth.identity.RequiresRole;
import dev.berth.identity.Role;
import dev.berth.identity.TenantContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * JSON API for an app's notification hooks: URLs Berth POSTs signed build events to. Developers only, also for
 * reading, since such URLs often carry a token.
 */
@Path("/api/v1/tenants/{tenant}/apps/{app}/notifications")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RequiresRole(Role.DEVELOPER)
@Tag(name = "Notifications")
public class NotificationResource {
    @Inject
    NotificationService notifications;
    @Inject
    TenantContext tenant;

    @GET
    @Operation(summary = "The app's notification hooks with their last delivery (never their secrets)")
    public List<HookView> list(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return notifications.list(tenant.tenantId(), app);
    }

    @POST
    @Operation(summary = "Add a hook (url, events: build.succeeded, build.failed, build.cancelled); its signing secret "
            + "is shown only in this response")
    public Response create(@PathParam("tenant") String slug, @PathParam("app") String app,
            NotificationService.Create req) {
        return Response.status(201).entity(notifications.create(tenant.tenantId(), tenant.slug(), app, req)).build();
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Remove a hook; its pending deliveries are dropped")
    public Response delete(@PathParam("tenant") String slug, @PathParam("app") String app, @PathParam("id") long id) {
        notifications.delete(tenant.tenantId(), tenant.slug(), app, id);
        return Response.noContent().build();
    }

    @GET
    @Path("{id}/deliveries")
    @Operation(summary = "The hook's last 50 deliveries: event, state, attempts, the receiver's last answer")
    public List<DeliveryView> deliveries(@PathParam("tenant") String slug, @PathParam("app") String app,
            @PathParam("id") long id) {
        return notifications.deliveries(tenant.tenantId(), app, id);
    }

    @POST
    @Path("{id}/ping")
    @Operation(summary = "Queue a ping event to the hook, to check the receiver; answers with the queued delivery")
    public Response ping(@PathParam("tenant") String slug, @PathParam("app") String app, @PathParam("id") long id) {
        return Response.status(202).entity(notifications.ping(tenant.tenantId(), tenant.slug(), app, id)).build();
    }
}
