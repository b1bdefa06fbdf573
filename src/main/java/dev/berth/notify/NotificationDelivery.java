package dev.berth.notify;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;

/** One event on its way to one hook: pending until the receiver answers 2xx, failed after the last attempt. */
@Entity
public class NotificationDelivery extends PanacheEntityBase {
    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Long tenantId;
    public Long hookId;
    public String event;
    /** The build whose end this event reports; null for other events. */
    public Long buildId;
    /** The exact JSON body sent (and signed) on every attempt. */
    public String payload;
    public String state = PENDING;
    public int attempts;
    public Instant nextAttemptAt = Instant.now();
    public Integer lastStatus;
    public String lastError;
    public Instant createdAt = Instant.now();
    public Instant deliveredAt;
}
