package dev.berth.notify;

import dev.berth.builds.source.UrlGuard;
import dev.berth.builds.webhooks.WebhookSignatures;
import dev.berth.jobs.JobQueue;
import dev.berth.jobs.JobQueues;
import dev.berth.jobs.JobTable;
import dev.berth.secrets.SecretBox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Delivers queued notification events. Each Berth instance claims due deliveries with {@code FOR UPDATE SKIP
 * LOCKED} (the shared {@link JobQueue} over the delivery rows) and pushes their next attempt a lease (long enough
 * for the whole batch) into the future before sending, so instances never send the same attempt twice and a
 * delivery whose sender died is tried again after the lease. Each attempt re-checks the URL's host against SSRF
 * rules (DNS answers change), follows no redirect, and counts only a 2xx answer as delivered;
 * otherwise it is retried with growing waits until {@code berth.notifications.max-attempts}, then it is failed and in
 * the queue's dead letter with its last error.
 */
@ApplicationScoped
public class NotificationSender {
    private static final Logger LOG = Logger.getLogger(NotificationSender.class);
    static final Duration MAX_WAIT = Duration.ofHours(2);
    static final int BATCH = 20;

    @Inject
    EntityManager em;
    @Inject
    NotificationsConfig config;
    @Inject
    SecretBox secrets;
    @Inject
    UrlGuard guard;
    @Inject
    NotificationService service;
    @Inject
    JobQueues jobQueues;

    private volatile HttpClient http;

    record Attempt(long id, long hookId, String event, String payload, int attempt, String url, String secret) {
    }

    @Scheduled(every = "${berth.notifications.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            delayed = "1s")
    void deliverDue() {
        for (long build : service.buildsToNotify()) {
            try {
                service.buildFinished(build);
            } catch (RuntimeException e) {
                // Another instance queued it at the same moment (unique index); nothing is lost.
                LOG.debugf("build %d: event not queued here: %s", build, e.getMessage());
            }
        }
        List<Attempt> due;
        do {
            due = claim();
            for (Attempt a : due) {
                send(a);
            }
        } while (due.size() == BATCH);
    }

    /** The deliveries as jobs: pending ones are due at their next attempt; claimed ones hold a lease. */
    static final JobTable TABLE = new JobTable("notifications", "notification_delivery",
            "j.state = 'pending' and j.next_attempt_at <= now()",
            "j.state = 'pending' and j.attempts > 0 and j.next_attempt_at > now()", "j.id", "next_attempt_at", false);

    JobQueue jobs() {
        return jobQueues.queue(TABLE);
    }

    /** Claims up to {@link #BATCH} due deliveries for this instance, in one short transaction. */
    List<Attempt> claim() {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Attempt> out = new ArrayList<>();
            for (long id : jobs().lockDue(BATCH, null, java.util.Map.of())) {
                jobs().started(id, null);
                jobs().leaseUntil(id, Instant.now().plus(lease()));
                Object[] r = (Object[]) em.createNativeQuery("select d.hook_id, d.event, d.payload, d.attempts, h.url, "
                        + "h.secret from notification_delivery d join notification_hook h on h.id = d.hook_id "
                        + "where d.id = ?1").setParameter(1, id).getSingleResult();
                out.add(new Attempt(id, ((Number) r[0]).longValue(), (String) r[1], (String) r[2],
                        ((Number) r[3]).intValue(), (String) r[4], secrets.decrypt((String) r[5])));
            }
            return out;
        });
    }

    /**
     * How long a claimed batch is this instance's: long enough to send every delivery of it one after the other,
     * each waiting at most the connect and the response timeout, plus a minute.
     */
    Duration lease() {
        return config.timeout().multipliedBy(2L * BATCH).plusMinutes(1);
    }

    void send(Attempt a) {
        Integer status = null;
        String error = null;
        String refused = guard.checkCallbackUrl(a.url());
        if (refused != null) {
            // The host now resolves somewhere it must not reach: no request, and no retry.
            finish(a, null, "not sent: the URL " + refused, true);
            return;
        }
        try {
            byte[] body = a.payload().getBytes(StandardCharsets.UTF_8);
            HttpRequest req = HttpRequest.newBuilder(URI.create(a.url())).timeout(config.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Berth-Notifications")
                    .header("X-Berth-Event", a.event())
                    .header("X-Berth-Delivery", String.valueOf(a.id()))
                    .header("X-Berth-Signature-256", "sha256=" + WebhookSignatures.hmacHex(a.secret(), body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<Void> res = client().send(req, HttpResponse.BodyHandlers.discarding());
            status = res.statusCode();
            if (status / 100 != 2) {
                error = "the receiver answered HTTP " + status;
            }
        } catch (IOException e) {
            error = "cannot reach the receiver: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            error = "cannot send: " + e.getMessage();
        }
        finish(a, status, error, false);
    }

    private void finish(Attempt a, Integer status, String error, boolean final_) {
        String err = error == null ? null : error.length() > 1000 ? error.substring(0, 997) + "..." : error;
        QuarkusTransaction.requiringNew().run(() -> {
            NotificationDelivery d = NotificationDelivery.findById(a.id());
            if (d == null) {
                return; // the hook was deleted meanwhile
            }
            d.lastStatus = status;
            d.lastError = err;
            if (err == null) {
                d.state = NotificationDelivery.DELIVERED;
                d.deliveredAt = Instant.now();
            } else if (final_ || a.attempt() >= config.maxAttempts()) {
                d.state = NotificationDelivery.FAILED;
                d.persistAndFlush();
                jobs().deadLetter(d.id, err);
            } else {
                d.nextAttemptAt = Instant.now().plus(wait(config.retryBase(), a.attempt()));
            }
        });
        if (err != null) {
            LOG.debugf("notification delivery %d (%s), attempt %d: %s", a.id(), a.event(), a.attempt(), err);
        }
    }

    /** The wait after attempt {@code n} (1-based): base, 5 x base, 25 x base ... at most two hours. */
    static Duration wait(Duration base, int n) {
        Duration w = base;
        for (int i = 1; i < n && w.compareTo(MAX_WAIT) < 0; i++) {
            w = w.multipliedBy(5);
        }
        return w.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : w;
    }

    private HttpClient client() {
        HttpClient c = http;
        if (c == null) {
            c = HttpClient.newBuilder().connectTimeout(config.timeout()).followRedirects(HttpClient.Redirect.NEVER)
                    .build();
            http = c;
        }
        return c;
    }
}
