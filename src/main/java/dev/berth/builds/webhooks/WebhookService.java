package dev.berth.builds.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.api.ApiException;
import dev.berth.apps.App;
import dev.berth.builds.Build;
import dev.berth.builds.BuildService;
import dev.berth.builds.BuildView;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.builds.source.AppSource;
import dev.berth.secrets.SecretBox;
import dev.berth.tenancy.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns a verified push event into a build of the pushed commit. Order matters: size, then signature (nothing is
 * parsed or stored before a delivery proves it knows the secret), then the payload, then de-duplication in the same
 * transaction as the build, under the app's row lock: by delivery id, so a retried delivery never builds twice, and
 * by push (app, ref, commit) within {@code berth.builds.webhooks.replay-window}, so the same signed body sent again
 * under a new delivery id answers with the build it started instead of starting another.
 */
@ApplicationScoped
public class WebhookService {
    private static final String ZERO_SHA = "0000000000000000000000000000000000000000";
    private static final String UNKNOWN_SECRET = "no-such-webhook-" + java.util.UUID.randomUUID();

    @Inject
    SecretBox secrets;
    @Inject
    BuildService builds;
    @Inject
    EntityManager em;
    @Inject
    ObjectMapper json;
    @Inject
    BuildsConfig config;

    /** A delivery as received: which host, the event name, delivery id and signature headers, and the raw body. */
    public record Delivery(String host, String event, String deliveryId, String signature, byte[] body) {
    }

    /** What Berth did with a delivery. */
    public record Outcome(String status, String detail, Integer build) {
    }

    @Transactional
    public Outcome receive(String tenantSlug, String appName, Delivery d) {
        if (d.body().length > config.webhooks().maxBodyBytes()) {
            throw new ApiException(413, "Payload Too Large", "webhook bodies are limited to "
                    + config.webhooks().maxBodyBytes() + " bytes", null);
        }
        Tenant tenant = Tenant.findBySlug(tenantSlug);
        App app = tenant == null ? null : App.findByName(tenant.id, appName);
        AppSource source = app == null ? null : AppSource.forApp(app.id);
        // Unknown apps answer exactly like a wrong signature, so app names cannot be probed through this endpoint.
        String secret = source == null ? UNKNOWN_SECRET : secrets.decrypt(source.webhookSecret);
        boolean valid = switch (d.host()) {
            case "github" -> WebhookSignatures.validGitHub(secret, d.body(), d.signature());
            case "gitea" -> WebhookSignatures.validGitea(secret, d.body(), d.signature());
            case "gitlab" -> WebhookSignatures.validGitLab(secret, d.signature());
            default -> throw ApiException.notFound("webhook host", d.host());
        };
        if (!valid || source == null) {
            throw new ApiException(401, "Unauthorized", d.signature() == null
                    ? "the delivery is not signed; set the webhook secret on the Git host"
                    : "the signature does not match this app's webhook secret", null);
        }
        if (d.event() != null && (d.event().equals("ping") || d.event().equals("System Hook"))) {
            return new Outcome("ok", "ping received", null);
        }
        JsonNode payload;
        try {
            payload = json.readTree(d.body());
        } catch (IOException e) {
            throw ApiException.invalid("body", "is not valid JSON");
        }
        if (payload == null || !payload.isObject()) {
            throw ApiException.invalid("body", "must be a JSON object");
        }
        if (!isPush(d)) {
            return new Outcome("ignored", "event '" + d.event() + "' is not a push", null);
        }
        String ref = payload.path("ref").asText(null);
        String after = payload.hasNonNull("checkout_sha") ? payload.get("checkout_sha").asText()
                : payload.path("after").asText(null);
        if (ref == null || after == null || !after.matches("[0-9a-f]{40}")) {
            throw ApiException.invalid("ref", "a push event needs 'ref' and 'after' (a 40-digit commit SHA)");
        }
        if (d.deliveryId() == null || d.deliveryId().isBlank() || d.deliveryId().length() > 200) {
            throw ApiException.invalid("deliveryId", "the delivery id header is missing");
        }
        // Deliveries for one app take turns from here on (the app's row lock, also taken before the delivery row
        // references the app, so two deliveries never wait on each other's locks): a second delivery of the same
        // push sees the first one's build, whatever instance received it.
        em.refresh(app, LockModeType.PESSIMISTIC_WRITE);
        int inserted = em.createNativeQuery("insert into webhook_delivery (app_id, delivery_id) values (:a, :d) "
                + "on conflict do nothing").setParameter("a", app.id).setParameter("d", d.deliveryId()).executeUpdate();
        if (inserted == 0) {
            return new Outcome("duplicate", "delivery " + d.deliveryId() + " was already received", null);
        }
        if (!ref.equals("refs/heads/" + source.gitRef) && !ref.equals("refs/tags/" + source.gitRef)) {
            return new Outcome("ignored", "push to " + ref + "; this app builds " + source.gitRef, null);
        }
        if (after.equals(ZERO_SHA)) {
            return new Outcome("ignored", source.gitRef + " was deleted", null);
        }
        Build earlier = recentBuildOfPush(app.id, source.gitRef, after);
        if (earlier != null) {
            return new Outcome("duplicate", "build #" + earlier.number + " of " + after.substring(0, 12)
                    + " was already started by an earlier delivery of this push", earlier.number);
        }
        BuildView b = builds.request(tenant.id, tenant.slug, app.name, after, "webhook", "webhook:" + d.host());
        return new Outcome("queued", "build #" + b.number() + " of " + after.substring(0, 12), b.number());
    }

    /** The build a delivery of the same push started within the replay window, if any (caller holds the app lock). */
    private Build recentBuildOfPush(long appId, String ref, String sha) {
        Duration window = config.webhooks().replayWindow();
        if (window.isZero() || window.isNegative()) {
            return null;
        }
        return Build.<Build>find("appId = ?1 and triggerKind = 'webhook' and gitRef = ?2 and requestedSha = ?3 "
                + "and queuedAt > ?4 order by number desc", appId, ref, sha, Instant.now().minus(window)).firstResult();
    }

    private static boolean isPush(Delivery d) {
        return switch (d.host()) {
            case "gitlab" -> "Push Hook".equals(d.event()) || "Tag Push Hook".equals(d.event());
            default -> "push".equals(d.event());
        };
    }
}
