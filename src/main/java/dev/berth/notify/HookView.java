package dev.berth.notify;

import java.time.Instant;
import java.util.List;

/** A notification hook as the API shows it: never its secret. */
public record HookView(long id, String url, List<String> events, String createdBy, Instant createdAt,
        DeliveryView lastDelivery) {

    static HookView of(NotificationHook h, NotificationDelivery last) {
        return new HookView(h.id, h.url, h.eventList(), h.createdBy, h.createdAt, last == null ? null : DeliveryView.of(last));
    }

    /** The answer to creating a hook: the only time its signing secret is shown. */
    public record Created(HookView hook, String secret, String signatureHeader, String howToVerify) {
    }
}
