package dev.berth.tls;

import dev.berth.identity.TenantContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** JSON API for an app's TLS (a sub-resource, like its autoscaler). */
@Path("/api/v1/tenants/{tenant}/apps/{app}/tls")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Apps")
public class TlsResource {
    @Inject
    TlsService tls;
    @Inject
    TenantContext tenant;

    @GET
    @Operation(summary = "The app's TLS: mode, redirect, the uploaded certificate's subject, names, issuer and "
            + "validity (never the key), and per region the host, Secret and certificate status")
    public TlsView get(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return tls.get(tenant.tenantId(), tenant.slug(), app);
    }

    @PUT
    @Operation(summary = "Serve the app over HTTPS: with each region's cert-manager issuer, or an uploaded "
            + "certificate chain and key",
            description = "An uploaded certificate must parse as PEM, start with the server certificate, be valid "
                    + "now, cover every host of the app and match the key; errors name `certificate` or `key`. The "
                    + "key is stored sealed and never returned. `sslRedirect` (default true) redirects HTTP to HTTPS.")
    public TlsView set(@PathParam("tenant") String slug, @PathParam("app") String app, TlsRequest req) {
        return tls.set(tenant.tenantId(), tenant.slug(), app, req);
    }

    @DELETE
    @Operation(summary = "Serve the app over HTTP only; an uploaded certificate and key are deleted")
    public Response remove(@PathParam("tenant") String slug, @PathParam("app") String app) {
        tls.remove(tenant.tenantId(), tenant.slug(), app);
        return Response.noContent().build();
    }
}
