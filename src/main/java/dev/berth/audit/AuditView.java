package dev.berth.audit;

import java.time.Instant;
import java.util.Map;

/** An audit record as the API returns it. */
public record AuditView(long id, Instant at, String actor, String tenant, String app, String action, String summary,
        Map<String, Object> changes, String sourceIp, String result) {

    public static AuditView of(AuditEvent e) {
        return new AuditView(e.id, e.at, e.actor, e.tenantSlug, e.appName, e.action, e.summary, e.changes, e.sourceIp,
                e.result);
    }
}
