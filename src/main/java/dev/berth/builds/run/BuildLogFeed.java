package dev.berth.builds.run;

import dev.berth.notices.Notices;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Wakes live build-log streams when their build's log grows, on any Berth instance: a writer that stored a batch
 * of lines, or closed a log, sends {@code NOTIFY} on the channel {@code berth_buildlog_<schema>} with the payload
 * {@code <build id> <last seq>} (or {@code <build id> end}: a few dozen bytes, far below PostgreSQL's 8000-byte
 * limit, and the lines themselves stay in {@code build_log}). The instance's one listener ({@link Notices}) hears
 * them, and this feed fans each notification out to the streams subscribed to that build, however many people
 * watch. A notification can be lost (the listening connection dropped, a send failed): a stream then finds its
 * lines at its fallback read ({@code berth.builds.log-fallback-poll}), and every stream is woken when the listener
 * connects again.
 */
@ApplicationScoped
public class BuildLogFeed implements Notices.Subscriber {
    private static final Logger LOG = Logger.getLogger(BuildLogFeed.class);

    @Inject
    Notices notices;
    @Inject
    MeterRegistry registry;
    @ConfigProperty(name = "berth.builds.log-fallback-poll", defaultValue = "5s")
    Duration fallbackPoll;

    private final Map<Long, Set<Subscription>> subscribers = new ConcurrentHashMap<>();
    private volatile String channel;
    private volatile long heard;

    void start(@Observes StartupEvent event) {
        channel = notices.channel("buildlog");
        Gauge.builder("berth.build.log.streams", this, BuildLogFeed::subscriptions)
                .description("live build-log streams on this instance").register(registry);
        notices.subscribe(channel, this);
    }

    /** Tells every instance's streams of the build that its log has lines up to {@code lastSeq} (-1: closed). */
    public void announce(long buildId, int lastSeq) {
        // A lost one is found by the streams' fallback read.
        if (channel != null) {
            notices.send(channel, payload(buildId, lastSeq));
        }
    }

    /**
     * Announces in the caller's transaction that the build's log is complete (a build that ended without a worker:
     * cancelled or refused while queued); PostgreSQL sends it when, and only if, the transaction commits.
     */
    public void announceOnCommit(jakarta.persistence.EntityManager em, long buildId) {
        if (channel != null) {
            em.createNativeQuery("select pg_notify(:c, :p)").setParameter("c", channel)
                    .setParameter("p", payload(buildId, -1)).getSingleResult();
        }
    }

    /** The payload of a notification: the build id and the last stored line (or {@code end}). */
    static String payload(long buildId, int lastSeq) {
        return buildId + " " + (lastSeq < 0 ? "end" : Integer.toString(lastSeq));
    }

    /** A stream's subscription to one build's log; close it when the stream ends. */
    public Subscription subscribe(long buildId) {
        Subscription s = new Subscription(buildId);
        subscribers.computeIfAbsent(buildId, id -> ConcurrentHashMap.newKeySet()).add(s);
        return s;
    }

    /** Live subscriptions on this instance (tests and the {@code berth_build_log_streams} gauge). */
    public int subscriptions() {
        return subscribers.values().stream().mapToInt(Set::size).sum();
    }

    /** The channel this instance listens on. */
    public String channel() {
        return channel;
    }

    /** Whether the instance's listener is up and listens on this channel. */
    public boolean listening() {
        return channel != null && notices.listening(channel);
    }

    /** Notifications heard so far (tests). */
    public long heard() {
        return heard;
    }

    /** Lines stored while no one listened: every stream reads once. */
    @Override
    public void reconnected() {
        subscribers.values().forEach(set -> set.forEach(Subscription::wake));
    }

    @Override
    public void notified(String payload) {
        int space = payload == null ? -1 : payload.indexOf(' ');
        if (space <= 0) {
            return;
        }
        heard++;
        try {
            Set<Subscription> set = subscribers.get(Long.parseLong(payload.substring(0, space)));
            if (set != null) {
                set.forEach(Subscription::wake);
            }
        } catch (NumberFormatException e) {
            LOG.debugf("ignored build-log notification %s", payload);
        }
    }

    /** One stream's wake-ups: {@link #await} returns at the next notification, or after the fallback poll. */
    public final class Subscription implements AutoCloseable {
        private final long buildId;
        private final Semaphore wakeups = new Semaphore(0);

        private Subscription(long buildId) {
            this.buildId = buildId;
        }

        void wake() {
            wakeups.release();
        }

        /** Waits for news of the log; true when woken by a notification, false at the fallback poll. */
        public boolean await() throws InterruptedException {
            boolean woken = wakeups.tryAcquire(fallbackPoll.toMillis(), TimeUnit.MILLISECONDS);
            wakeups.drainPermits();
            return woken;
        }

        @Override
        public void close() {
            subscribers.computeIfPresent(buildId, (id, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }
    }
}
