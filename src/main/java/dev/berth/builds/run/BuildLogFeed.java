package dev.berth.builds.run;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Wakes live build-log streams when their build's log grows, on any Berth instance: a writer that stored a batch
 * of lines, or closed a log, sends {@code NOTIFY} on the channel {@code berth_buildlog_<schema>} with the payload
 * {@code <build id> <last seq>} (or {@code <build id> end}: a few dozen bytes, far below PostgreSQL's 8000-byte
 * limit, and the lines themselves stay in {@code build_log}). One thread per instance listens on one connection of
 * its own, outside the pool, and fans each notification out to the streams subscribed to that build, however many
 * people watch. A notification can be lost (the listening connection dropped, a send failed): a stream then finds
 * its lines at its fallback read ({@code berth.builds.log-fallback-poll}), and every stream is woken when the
 * listener connects again.
 */
@ApplicationScoped
public class BuildLogFeed {
    private static final Logger LOG = Logger.getLogger(BuildLogFeed.class);
    /** How the listening connection shows in {@code pg_stat_activity}. */
    public static final String APPLICATION_NAME = "berth-build-log-feed";
    private static final int WAIT_MILLIS = 5000;
    private static final long PING_NANOS = 30_000_000_000L;

    @Inject
    DataSource db;
    @Inject
    MeterRegistry registry;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;
    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> user;
    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;
    @ConfigProperty(name = "berth.builds.log-fallback-poll", defaultValue = "5s")
    Duration fallbackPoll;

    private final Map<Long, Set<Subscription>> subscribers = new ConcurrentHashMap<>();
    private volatile String channel;
    private volatile boolean running;
    private volatile Connection listening;
    private volatile long heard;

    void start(@Observes StartupEvent event) {
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select current_schema()")) {
            rs.next();
            channel = channel(rs.getString(1));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the database schema: " + e.getMessage(), e);
        }
        Gauge.builder("berth.build.log.streams", this, BuildLogFeed::subscriptions)
                .description("live build-log streams on this instance").register(registry);
        running = true;
        Thread t = new Thread(this::listen, "build-log-feed");
        t.setDaemon(true);
        t.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        Connection c = listening;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debugf("closing the listening connection: %s", e.getMessage());
            }
        }
    }

    /** The channel of a schema: {@code berth_buildlog_<schema>}, an identifier PostgreSQL keeps whole (63 bytes). */
    static String channel(String schema) {
        String name = "berth_buildlog_" + String.valueOf(schema).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    /** Tells every instance's streams of the build that its log has lines up to {@code lastSeq} (-1: closed). */
    public void announce(long buildId, int lastSeq) {
        if (channel == null) {
            return;
        }
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("select pg_notify(?, ?)")) {
            ps.setString(1, channel);
            ps.setString(2, payload(buildId, lastSeq));
            ps.execute();
        } catch (SQLException e) {
            // The streams' fallback read finds the lines.
            LOG.debugf("could not announce build %d's log: %s", buildId, e.getMessage());
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

    /** Whether the listening connection is up. */
    public boolean listening() {
        return listening != null;
    }

    /** Notifications heard so far (tests). */
    public long heard() {
        return heard;
    }

    private void listen() {
        long backoff = 1000;
        while (running) {
            Properties props = new Properties();
            user.ifPresent(u -> props.setProperty("user", u));
            password.ifPresent(p -> props.setProperty("password", p));
            props.setProperty("tcpKeepAlive", "true");
            props.setProperty("ApplicationName", APPLICATION_NAME);
            try (Connection c = new org.postgresql.Driver().connect(url, props)) {
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN \"" + channel + "\"");
                }
                listening = c;
                backoff = 1000;
                // Lines stored while no one listened: every stream reads once.
                subscribers.values().forEach(set -> set.forEach(Subscription::wake));
                PGConnection pg = c.unwrap(PGConnection.class);
                long lastHeard = System.nanoTime();
                while (running) {
                    PGNotification[] notes = pg.getNotifications(WAIT_MILLIS);
                    if (notes != null && notes.length > 0) {
                        lastHeard = System.nanoTime();
                        for (PGNotification n : notes) {
                            deliver(n.getParameter());
                        }
                    } else if (System.nanoTime() - lastHeard > PING_NANOS) {
                        // A round trip fails on a dead connection, which then reconnects. LISTEN again is a no-op,
                        // and keeps the session's query in pg_stat_activity naming its channel.
                        try (Statement st = c.createStatement()) {
                            st.execute("LISTEN \"" + channel + "\"");
                        }
                        lastHeard = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warnf("listening for build logs failed, again in %d ms: %s", backoff, e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(backoff * 2, 30_000);
            } finally {
                listening = null;
            }
        }
    }

    private void deliver(String payload) {
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
