package dev.berth.audit;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One recorded change: who, what, where, when, with which result. Kept after the tenant or app is gone. */
@Entity
public class AuditEvent extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Instant at = Instant.now();
    public String actor;
    public Long tenantId;
    public String tenantSlug;
    public String appName;
    public String action;
    public String summary;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> changes;
    public String sourceIp;
    public String result = "ok";

    /** Recent changes that took effect (refused attempts are in the audit log, not in activity or history). */
    public static List<AuditEvent> recentForTenant(long tenantId, int limit) {
        return find("tenantId = ?1 and result = 'ok' order by at desc, id desc", tenantId).page(0, limit).list();
    }

    public static List<AuditEvent> recentForApp(long tenantId, String app, int limit) {
        return find("tenantId = ?1 and appName = ?2 and result = 'ok' order by at desc, id desc", tenantId, app).page(0, limit).list();
    }

    public static List<AuditEvent> recent(int limit) {
        return find("order by at desc, id desc").page(0, limit).list();
    }
}
