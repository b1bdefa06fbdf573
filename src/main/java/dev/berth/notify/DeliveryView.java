package dev.berth.notify;

import java.time.Instant;

/** One delivery of an event to a hook, with the receiver's last answer. */
public record DeliveryView(long id, String event, String state, int attempts, Integer lastStatus, String lastError,
        Instant createdAt, Instant nextAttemptAt, Instant deliveredAt) {

    static DeliveryView of(NotificationDelivery d) {
        return new DeliveryView(d.id, d.event, d.state, d.attempts, d.lastStatus, d.lastError, d.createdAt,
                NotificationDelivery.PENDING.equals(d.state) ? d.nextAttemptAt : null, d.deliveredAt);
    }
}
