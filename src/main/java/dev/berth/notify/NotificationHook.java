package dev.berth.notify;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** A URL Berth POSTs an app's events to, signed with the hook's own secret (stored sealed). */
@Entity
public class NotificationHook extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Long tenantId;
    public Long appId;
    public String url;
    /** Comma-separated event names, see {@link Events}. */
    public String events;
    /** Sealed with SecretBox; the plain secret is returned once, when the hook is created. */
    public String secret;
    public String createdBy;
    public Instant createdAt = Instant.now();

    public List<String> eventList() {
        return Arrays.stream(events.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public static List<NotificationHook> listByApp(long appId) {
        return list("appId = ?1 order by id", appId);
    }
}
