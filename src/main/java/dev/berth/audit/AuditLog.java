package dev.berth.audit;

import dev.berth.identity.CurrentUser;
import dev.berth.live.LiveSignals;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.Map;

/**
 * Records changes in the same transaction as the change itself, so the history never claims something that was
 * rolled back, and never misses something that was committed. Secret values never reach it.
 */
@ApplicationScoped
public class AuditLog {
    @Inject
    CurrentUser user;
    @Inject
    LiveSignals live;

    @Transactional(Transactional.TxType.MANDATORY)
    public AuditEvent record(Long tenantId, String tenantSlug, String app, String action, String summary,
            Map<String, Object> changes) {
        AuditEvent e = new AuditEvent();
        e.actor = user.name();
        e.sourceIp = user.sourceAddress();
        e.tenantId = tenantId;
        e.tenantSlug = tenantSlug;
        e.appName = app;
        e.action = action;
        e.summary = summary.length() > 2000 ? summary.substring(0, 1997) + "..." : summary;
        e.changes = changes == null || changes.isEmpty() ? null : changes;
        e.persist();
        // Whatever is worth a line in the history changes what the tenant's pages show.
        live.afterCommit(tenantSlug == null ? LiveSignals.PLATFORM : tenantSlug);
        return e;
    }
}
