package dev.berth.audit;

import dev.berth.api.Problem;
import dev.berth.identity.CurrentUser;
import dev.berth.identity.TenantContext;
import dev.berth.security.SecurityLog;
import dev.berth.tenancy.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.Set;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Records attempted changes that were refused, with their result: {@code denied} (403, or 404 for a tenant or app
 * the caller may not see), {@code refused} (other 4xx: invalid input, conflicts, quota) or {@code failed} (5xx).
 * Successful changes are recorded by the services in their own transaction; a refused change rolled that back, so
 * it is written here in a new one. Reads and unauthenticated calls (401) are not recorded. A refusal of someone who
 * is not a member of the tenant the request named goes to the platform's {@link SecurityLog} instead.
 */
public class RefusedChanges {
    private static final Logger LOG = Logger.getLogger(RefusedChanges.class);
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    @Inject
    CurrentUser user;
    @Inject
    TenantContext tenant;
    @Inject
    SecurityLog securityLog;

    /**
     * Whether the request has a signed-in caller to record. On the I/O thread the identity is known only once its
     * authentication ended: a request that failed while it was being authenticated (the database too busy to look
     * up a token) has none to record, and asking would block the thread.
     */
    private boolean knownCaller() {
        try {
            return !user.isAnonymous();
        } catch (io.quarkus.runtime.BlockingOperationNotAllowedException authenticationNotFinished) {
            return false;
        }
    }

    @ServerResponseFilter
    public void record(ContainerRequestContext request, ContainerResponseContext response) {
        int status = response.getStatus();
        if (status < 400 || status == 401 || READS.contains(request.getMethod()) || !knownCaller()) {
            return;
        }
        String slug = request.getUriInfo().getPathParameters().getFirst("tenant");
        String app = request.getUriInfo().getPathParameters().getFirst("app");
        String result = status >= 500 ? "failed" : status == 403 || status == 404 ? "denied" : "refused";
        String why = response.getEntity() instanceof Problem p ? p.detail() : null;
        String summary = request.getMethod() + " " + request.getUriInfo().getPath() + ": " + status
                + (why == null ? "" : " " + why);
        String actor = user.name();
        String source = user.sourceAddress();
        if (slug != null && tenant.isStranger()) {
            // A stranger's refused request never reaches the tenant's audit log: a flood of them would fill it.
            securityLog.record(actor, source, request.getMethod(), request.getUriInfo().getPath(), status, slug, why);
            return;
        }
        Runnable write = () -> write(slug, app, result, summary, actor, source);
        if (io.vertx.core.Context.isOnEventLoopThread()) {
            // Refused before dispatch (a security check on the I/O thread): the database write must not block it.
            Infrastructure.getDefaultWorkerPool().execute(write);
        } else {
            write.run();
        }
    }

    private static void write(String slug, String app, String result, String summary, String actor, String source) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                Tenant tenant = slug == null ? null : Tenant.findBySlug(slug);
                AuditEvent e = new AuditEvent();
                e.actor = actor;
                e.sourceIp = source;
                e.tenantId = tenant == null ? null : tenant.id;
                e.tenantSlug = tenant == null ? null : tenant.slug;
                e.appName = app != null && app.length() <= 40 ? app : null;
                e.action = "request." + result;
                e.summary = summary.length() > 2000 ? summary.substring(0, 1997) + "..." : summary;
                e.result = result;
                e.persist();
            });
        } catch (RuntimeException e) {
            // The refusal stands either way; losing its record must not turn it into a 500.
            LOG.warnf(e, "could not record a refused request: %s", summary);
        }
    }
}
