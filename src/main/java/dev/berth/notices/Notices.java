package dev.berth.notices;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The one PostgreSQL listener of a Berth instance: one dedicated connection outside the pool that {@code LISTEN}s on
 * every channel a feature subscribed to and hands each notification to the subscribers of its channel, on its own
 * thread. Features announce with {@link #send} (or {@code pg_notify} in their own transaction, which PostgreSQL
 * sends on commit). A connection that fails (the database restarted, the backend terminated, a network cut) is
 * opened again with back-off (1 s, doubling, at most 30 s), listens on every channel again, and then tells every
 * subscriber {@link Subscriber#reconnected()}: notifications sent meanwhile are gone, so each re-reads what it may
 * have missed. A quiet connection is checked every 30 s, since a connection that died silently never reports it.
 *
 * <p>Channels are named after the schema ({@link #channel}), so installations sharing a database do not hear each
 * other, and the connection shows in {@code pg_stat_activity} as {@link #applicationName()}
 * ({@code berth-notices/<schema>}).
 */
@ApplicationScoped
public class Notices {
    private static final Logger LOG = Logger.getLogger(Notices.class);
    /** How long one wait for notifications lasts; channels subscribed meanwhile are listened to after it. */
    private static final int WAIT_MILLIS = 500;
    private static final long PING_NANOS = 30_000_000_000L;
    private static final long FIRST_BACKOFF = 1000;
    private static final long MAX_BACKOFF = 30_000;

    @Inject
    DataSource db;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;
    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> user;
    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    private final Map<String, List<Subscriber>> subscribers = new ConcurrentHashMap<>();
    private final Set<String> listened = ConcurrentHashMap.newKeySet();
    private volatile String schema;
    private volatile boolean stopped;
    private volatile Thread thread;
    private volatile Connection listening;
    private volatile long reconnects;

    /** What a subscriber of a channel is told. Called on the listener's thread: return quickly. */
    public interface Subscriber {
        /** A notification on the channel, with its payload. */
        void notified(String payload);

        /** The listening connection was lost and is back: notifications sent in between are gone. */
        default void reconnected() {
        }
    }

    /** A subscription; closing it stops the deliveries to its subscriber. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * The channel {@code berth_<name>_<schema>}, an identifier PostgreSQL keeps whole (63 bytes): a name of this
     * installation's schema only.
     */
    public String channel(String name) {
        return channel(name, schema());
    }

    static String channel(String name, String schema) {
        String full = ("berth_" + name + "_" + String.valueOf(schema)).toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        return full.length() > 63 ? full.substring(0, 63) : full;
    }

    /** How the listening connection shows in {@code pg_stat_activity}: {@code berth-notices/<schema>}. */
    public String applicationName() {
        String name = "berth-notices/" + schema();
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    /** Delivers the channel's notifications to {@code subscriber} from now on (once its channel is listened to). */
    public Subscription subscribe(String channel, Subscriber subscriber) {
        subscribers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(subscriber);
        start();
        return () -> subscribers.computeIfPresent(channel, (c, list) -> {
            list.remove(subscriber);
            return list.isEmpty() ? null : list;
        });
    }

    /** Sends a notification on a pooled connection; false (logged) when it could not be sent. */
    public boolean send(String channel, String payload) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("select pg_notify(?, ?)")) {
            ps.setString(1, channel);
            ps.setString(2, payload);
            ps.execute();
            return true;
        } catch (SQLException e) {
            LOG.debugf("could not notify %s: %s", channel, e.getMessage());
            return false;
        }
    }

    /** Whether the connection is up and listens on the channel. */
    public boolean listening(String channel) {
        return listening != null && listened.contains(channel);
    }

    /** The PostgreSQL backend of the listening connection, while it is up. */
    public OptionalInt backendPid() {
        Connection c = listening;
        if (c == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(c.unwrap(PGConnection.class).getBackendPID());
        } catch (SQLException e) {
            return OptionalInt.empty();
        }
    }

    /** Times the connection was opened again after it was lost. */
    public long reconnects() {
        return reconnects;
    }

    private String schema() {
        String s = schema;
        if (s == null) {
            try (Connection c = db.getConnection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select current_schema()")) {
                rs.next();
                s = rs.getString(1);
                schema = s;
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the database schema: " + e.getMessage(), e);
            }
        }
        return s;
    }

    private synchronized void start() {
        if (thread == null && !stopped) {
            schema();
            Thread t = new Thread(this::listen, "notices");
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    /** Before the features stop: no notification reaches a subscriber whose executors are shut down. */
    void stop(@Observes @Priority(100) ShutdownEvent event) {
        Thread t;
        synchronized (this) {
            stopped = true;
            t = thread;
        }
        Connection c = listening;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debugf("closing the listening connection: %s", e.getMessage());
            }
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void listen() {
        boolean first = true;
        long backoff = FIRST_BACKOFF;
        while (!stopped) {
            Properties props = new Properties();
            user.ifPresent(u -> props.setProperty("user", u));
            password.ifPresent(p -> props.setProperty("password", p));
            props.setProperty("tcpKeepAlive", "true");
            props.setProperty("ApplicationName", applicationName());
            try (Connection c = new org.postgresql.Driver().connect(url, props)) {
                listened.clear();
                listenToNew(c);
                listening = c;
                if (!first) {
                    reconnects++;
                    LOG.infof("listening for notifications again on %s; subscribers catch up", listened);
                    each(Subscriber::reconnected);
                }
                first = false;
                backoff = FIRST_BACKOFF;
                receive(c);
            } catch (SQLException | RuntimeException e) {
                if (stopped) {
                    return;
                }
                LOG.warnf("listening for notifications failed, again in %d ms: %s", backoff, e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF);
            } finally {
                listening = null;
            }
        }
    }

    private void receive(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        long lastHeard = System.nanoTime();
        while (!stopped) {
            PGNotification[] notes = pg.getNotifications(WAIT_MILLIS);
            if (notes != null && notes.length > 0) {
                lastHeard = System.nanoTime();
                for (PGNotification n : notes) {
                    deliver(n.getName(), n.getParameter());
                }
            } else if (System.nanoTime() - lastHeard > PING_NANOS) {
                // A round trip fails on a dead connection, which then reconnects.
                try (Statement st = c.createStatement()) {
                    st.execute("select 1");
                }
                lastHeard = System.nanoTime();
            }
            listenToNew(c);
        }
    }

    /** LISTENs on the channels subscribed since the last look. */
    private void listenToNew(Connection c) throws SQLException {
        for (String channel : subscribers.keySet()) {
            if (!listened.contains(channel)) {
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN \"" + channel.replace("\"", "\"\"") + "\"");
                }
                listened.add(channel);
            }
        }
    }

    private void deliver(String channel, String payload) {
        for (Subscriber s : subscribers.getOrDefault(channel, List.of())) {
            if (stopped) {
                return;
            }
            try {
                s.notified(payload);
            } catch (RuntimeException e) {
                LOG.warnf(e, "a subscriber of %s failed on %s", channel, payload);
            }
        }
    }

    private void each(java.util.function.Consumer<Subscriber> call) {
        for (List<Subscriber> list : subscribers.values()) {
            for (Subscriber s : list) {
                try {
                    call.accept(s);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "a subscriber failed to catch up after a reconnect");
                }
            }
        }
    }
}
