package dev.berth.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.api.ApiException;
import dev.berth.api.Validator;
import dev.berth.apps.App;
import dev.berth.audit.AuditLog;
import dev.berth.builds.Build;
import dev.berth.builds.source.UrlGuard;
import dev.berth.identity.CurrentUser;
import dev.berth.secrets.SecretBox;
import dev.berth.tenancy.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * An app's notification hooks: validated (the URL passes the same SSRF checks as Git and registry URLs), their
 * signing secret sealed and shown once, and events queued as deliveries in the same database, so that
 * {@link NotificationSender} delivers them from any Berth instance, after a restart too.
 */
@ApplicationScoped
public class NotificationService {
    @Inject
    UrlGuard guard;
    @Inject
    SecretBox secrets;
    @Inject
    AuditLog audit;
    @Inject
    CurrentUser user;
    @Inject
    NotificationsConfig config;
    @Inject
    ObjectMapper json;
    @Inject
    EntityManager em;

    /** What a client sends to create a hook. */
    public record Create(String url, List<String> events) {
    }

    @Transactional
    public List<HookView> list(long tenantId, String appName) {
        App app = app(tenantId, appName);
        List<HookView> out = new ArrayList<>();
        for (NotificationHook h : NotificationHook.listByApp(app.id)) {
            NotificationDelivery last = NotificationDelivery.find("hookId = ?1 order by id desc", h.id).firstResult();
            out.add(HookView.of(h, last));
        }
        return out;
    }

    @Transactional
    public HookView.Created create(long tenantId, String tenant, String appName, Create req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        App app = app(tenantId, appName);
        Validator v = new Validator();
        String url = req.url() == null ? null : req.url().trim();
        v.rule("url", guard.checkCallbackUrl(url));
        List<String> events = req.events() == null || req.events().isEmpty() ? Events.SUBSCRIBABLE : req.events();
        LinkedHashSet<String> chosen = new LinkedHashSet<>();
        for (int i = 0; i < events.size(); i++) {
            String e = events.get(i) == null ? "" : events.get(i).trim();
            if (!Events.SUBSCRIBABLE.contains(e)) {
                v.add("events[" + i + "]", "must be one of " + String.join(", ", Events.SUBSCRIBABLE) + " (not '" + e + "')");
            }
            chosen.add(e);
        }
        long existing = NotificationHook.count("appId", app.id);
        v.check(existing < config.maxHooksPerApp(), "url",
                "an app has at most " + config.maxHooksPerApp() + " notification hooks; delete one first");
        v.throwIfInvalid();

        String secret = secrets.newSecret(32);
        NotificationHook h = new NotificationHook();
        h.tenantId = tenantId;
        h.appId = app.id;
        h.url = url;
        h.events = String.join(",", chosen);
        h.secret = secrets.encrypt(secret);
        h.createdBy = user.name();
        h.persist();
        Map<String, Object> changes = new LinkedHashMap<>();
        changes.put("host", URI.create(url).getHost());
        changes.put("events", h.eventList());
        // The URL itself stays out of the audit log: chat and CI hook URLs often carry a token in their path.
        audit.record(tenantId, tenant, app.name, "notification.create",
                "added a notification hook to " + URI.create(url).getHost(), changes);
        return new HookView.Created(HookView.of(h, null), secret, "X-Berth-Signature-256",
                "HMAC-SHA256 of the raw request body with this secret, hex encoded, sent as "
                        + "'X-Berth-Signature-256: sha256=<hex>'; compare it in constant time. X-Berth-Delivery "
                        + "identifies a delivery (the same on retries), X-Berth-Event names the event.");
    }

    @Transactional
    public void delete(long tenantId, String tenant, String appName, long id) {
        NotificationHook h = hook(tenantId, appName, id);
        h.delete();
        audit.record(tenantId, tenant, appName, "notification.delete",
                "removed the notification hook to " + URI.create(h.url).getHost(), Map.of("id", id));
    }

    @Transactional
    public List<DeliveryView> deliveries(long tenantId, String appName, long id) {
        NotificationHook h = hook(tenantId, appName, id);
        return NotificationDelivery.<NotificationDelivery>find("hookId = ?1 order by id desc", h.id).page(0, 50).list()
                .stream().map(DeliveryView::of).toList();
    }

    /** Queues a {@code ping} event for one hook, to check that the receiver gets and verifies deliveries. */
    @Transactional
    public DeliveryView ping(long tenantId, String tenant, String appName, long id) {
        NotificationHook h = hook(tenantId, appName, id);
        Map<String, Object> body = envelope(Events.PING, tenant, appName);
        body.put("hook", h.id);
        body.put("requestedBy", user.name());
        return DeliveryView.of(enqueue(h, Events.PING, body, null));
    }

    /**
     * Builds that ended recently (whichever way: a worker, a cancel before the start, recovery after a crash) and
     * whose event is not queued yet for a hook of their app that subscribed to it and existed when they ended.
     * Looking at the build table rather than being told keeps every way a build can end covered.
     */
    @SuppressWarnings("unchecked")
    @Transactional
    public List<Long> buildsToNotify() {
        return ((List<Number>) em.createNativeQuery("select distinct b.id from build b "
                + "join notification_hook h on h.app_id = b.app_id "
                + "where b.state in ('succeeded', 'failed', 'cancelled') and b.finished_at >= h.created_at "
                + "and b.finished_at > now() - interval '1 hour' "
                + "and position(('build.' || b.state) in h.events) > 0 "
                + "and not exists (select 1 from notification_delivery d where d.hook_id = h.id and d.build_id = b.id) "
                + "order by b.id limit 100").getResultList()).stream().map(Number::longValue).toList();
    }

    /**
     * Queues the event of a build that has ended for every hook of its app that subscribed to it. Safe to call more
     * than once for the same build, from several instances too: a build's event is queued once per hook (a unique
     * index backs the check).
     */
    @Transactional
    public int buildFinished(long buildId) {
        Build b = Build.findById(buildId);
        String event = b == null ? null : Events.forBuildState(b.state.value());
        if (event == null) {
            return 0;
        }
        List<NotificationHook> hooks = NotificationHook.listByApp(b.appId).stream()
                .filter(h -> h.eventList().contains(event))
                .filter(h -> b.finishedAt == null || !b.finishedAt.isBefore(h.createdAt)).toList();
        if (hooks.isEmpty()) {
            return 0;
        }
        App app = App.findById(b.appId);
        Tenant tenant = Tenant.findById(b.tenantId);
        Map<String, Object> body = envelope(event, tenant.slug, app.name);
        Map<String, Object> build = new LinkedHashMap<>();
        build.put("number", b.number);
        build.put("state", b.state.value());
        build.put("trigger", b.triggerKind);
        build.put("requestedBy", b.requestedBy);
        build.put("ref", b.gitRef);
        build.put("commit", b.commitSha);
        build.put("commitMessage", b.commitMessage);
        build.put("commitAuthor", b.commitAuthor);
        build.put("image", b.imageRef);
        build.put("imageDigest", b.imageDigest);
        build.put("failureReason", b.failureReason);
        build.put("startedAt", b.startedAt);
        build.put("finishedAt", b.finishedAt);
        config.publicUrl().ifPresent(base -> build.put("url",
                base.replaceAll("/+$", "") + "/t/" + tenant.slug + "/apps/" + app.name + "/builds/" + b.number));
        body.put("build", build);
        int queued = 0;
        for (NotificationHook h : hooks) {
            if (NotificationDelivery.count("hookId = ?1 and buildId = ?2 and event = ?3", h.id, b.id, event) == 0) {
                enqueue(h, event, body, b.id);
                queued++;
            }
        }
        return queued;
    }

    private NotificationDelivery enqueue(NotificationHook h, String event, Map<String, Object> body, Long buildId) {
        NotificationDelivery d = new NotificationDelivery();
        d.tenantId = h.tenantId;
        d.hookId = h.id;
        d.event = event;
        d.buildId = buildId;
        try {
            d.payload = json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the " + event + " payload", e);
        }
        d.persist();
        return d;
    }

    private static Map<String, Object> envelope(String event, String tenant, String app) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event);
        body.put("tenant", tenant);
        body.put("app", app);
        body.put("sentAt", Instant.now());
        return body;
    }

    private static App app(long tenantId, String name) {
        return App.require(tenantId, name);
    }

    private static NotificationHook hook(long tenantId, String appName, long id) {
        App app = app(tenantId, appName);
        NotificationHook h = NotificationHook.findById(id);
        if (h == null || !h.appId.equals(app.id) || !h.tenantId.equals(tenantId)) {
            throw ApiException.notFound("notification hook", String.valueOf(id));
        }
        return h;
    }
}
