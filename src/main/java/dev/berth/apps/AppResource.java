package dev.berth.apps;

import dev.berth.audit.AuditView;
import dev.berth.identity.TenantContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.QueryParam;
import dev.berth.api.Page;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** JSON API for a tenant's apps. The tenant is resolved and authorized before any method runs. */
@Path("/api/v1/tenants/{tenant}/apps")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Apps")
public class AppResource {
    @Inject
    AppService apps;
    @Inject
    TenantContext tenant;

    @GET
    @Operation(summary = "One page of the tenant's apps, by name, with their state in each region",
            description = "`page` counts from 0; `size` is 50 unless given, at most 200. `total` is the number of apps."
                    + " `next` is the cursor of the following page (null on the last): pass it as `after` to read the"
                    + " apps after it, at the same cost at any depth (`after` and `page` exclude each other).")
    public Page<AppSummary> list(@PathParam("tenant") String slug, @QueryParam("page") String page,
            @QueryParam("size") String size, @QueryParam("after") String after) {
        return apps.list(tenant.tenantId(), tenant.slug(), Page.page(page), Page.size(size), Page.after(after, page));
    }

    @POST
    @Operation(summary = "Create an app from an image; it is deployed to every region of the tenant")
    public Response create(@PathParam("tenant") String slug, AppRequests.Create req) {
        AppView created = apps.create(tenant.tenantId(), tenant.slug(), req);
        return Response.created(URI.create("/api/v1/tenants/" + tenant.slug() + "/apps/" + created.name()))
                .entity(created).build();
    }

    @GET
    @Path("{app}")
    @Operation(summary = "An app with live status per region: replicas, pods, events")
    public AppView get(@PathParam("tenant") String slug, @PathParam("app") String name) {
        return apps.get(tenant.tenantId(), tenant.slug(), name);
    }

    @PATCH
    @Path("{app}")
    @Operation(summary = "Change image, replicas, resources, env or routing; rolls out without downtime")
    public AppView update(@PathParam("tenant") String slug, @PathParam("app") String name, AppRequests.Update req) {
        return apps.update(tenant.tenantId(), tenant.slug(), name, req);
    }

    @DELETE
    @Path("{app}")
    public Response delete(@PathParam("tenant") String slug, @PathParam("app") String name) {
        apps.delete(tenant.tenantId(), tenant.slug(), name);
        return Response.noContent().build();
    }

    @GET
    @Path("{app}/history")
    @Operation(summary = "Who changed what in the app, newest first")
    public List<AuditView> history(@PathParam("tenant") String slug, @PathParam("app") String name,
            @QueryParam("limit") Integer limit) {
        return apps.history(tenant.tenantId(), name, limit == null ? 50 : Math.max(1, Math.min(500, limit)));
    }
}
