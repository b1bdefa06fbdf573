package dev.berth.tenants;

import dev.berth.audit.AuditEvent;
import dev.berth.audit.AuditView;
import io.quarkus.qute.TemplateData;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Read-only queries the dashboard needs that no feature service offers as views: recent activity. */
@ApplicationScoped
public class Activity {

    @Transactional
    public List<AuditView> recentForTenant(long tenantId, int limit) {
        return AuditEvent.recentForTenant(tenantId, limit).stream().map(AuditView::of).toList();
    }

    /** A tenant member as pages show them. */
    @TemplateData
    public record Member(String subject, String name, String role, Instant since) {
        public static List<Member> of(List<Map<String, Object>> rows) {
            return rows.stream().map(m -> new Member((String) m.get("subject"), (String) m.get("username"),
                    (String) m.get("role"), (Instant) m.get("since"))).toList();
        }
    }
}
