package dev.berth.reconcile;

import dev.berth.kube.DesiredStateChanged;
import dev.berth.live.LiveSignals;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Tells every Berth instance of committed desired-state changes, so the instance that holds a region's lease
 * ({@link RegionLeases}) converges a change another instance committed at once instead of at its next resync.
 * PostgreSQL's LISTEN/NOTIFY carries them: after each commit that changes a tenant's desired state this instance
 * sends {@code <instance> <tenant>} on a channel named after its schema (so installations sharing a database do
 * not hear each other), and one thread per instance listens on its own connection, outside the pool. A listener
 * that lost its connection reconnects with backoff and then resyncs the regions it holds, since notifications sent
 * meanwhile are gone; a notification that could not be sent is caught up by the periodic resync. The same channel
 * carries the pages' live signals ({@code <instance> live:<key>}, see {@link LiveSignals}); a desired-state change
 * heard from another instance is a live signal as well.
 */
@ApplicationScoped
public class DesiredStateFeed {
    private static final Logger LOG = Logger.getLogger(DesiredStateFeed.class);
    private static final int WAIT_MILLIS = 5000;
    /** How the listening connection shows in {@code pg_stat_activity}. */
    public static final String APPLICATION_NAME = "berth-desired-state-feed";
    /**
     * Prefix of a notification that only wakes pages ({@link LiveSignals}); tenant slugs never contain its colon, so
     * it cannot be taken for a tenant's desired-state change.
     */
    static final String LIVE = "live:";
    /** A quiet listening connection is checked this often: a connection that died silently never reports it. */
    private static final long PING_NANOS = 30_000_000_000L;
    @Inject
    DataSource db;
    @Inject
    RegionWorkers workers;
    @Inject
    RegionLeases leases;
    @Inject
    LiveSignals live;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;
    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> user;
    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;
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
        running = true;
        Thread t = new Thread(this::listen, "desired-state-feed");
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

    /** The channel of a schema: {@code berth_desired_<schema>}, an identifier PostgreSQL keeps whole (63 bytes). */
    static String channel(String schema) {
        String name = "berth_desired_" + String.valueOf(schema).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    void onChange(@Observes(during = TransactionPhase.AFTER_SUCCESS) DesiredStateChanged change) {
        send(change.tenantSlug());
    }

    /** Passes a live signal ({@link LiveSignals}) on to the other instances' pages, as {@code <instance> live:<key>}. */
    void onLive(@Observes LiveSignals.Broadcast signal) {
        publish(LIVE + signal.key());
    }

    /** Tells the other instances that the tenant's desired state changed. */
    public void send(String tenantSlug) {
        publish(tenantSlug);
    }

    private void publish(String subject) {
        if (channel == null) {
            return;
        }
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("select pg_notify(?, ?)")) {
            ps.setString(1, channel);
            ps.setString(2, leases.holder() + " " + subject);
            ps.execute();
        } catch (SQLException e) {
            LOG.debugf("could not tell other instances that %s changed: %s", subject, e.getMessage());
        }
    }

    /** Notifications from other instances acted upon so far (tests). */
    public long heard() {
        return heard;
    }

    private void listen() {
        boolean first = true;
        long backoff = 1000;
        while (running) {
            Properties props = new Properties();
            user.ifPresent(u -> props.setProperty("user", u));
            password.ifPresent(p -> props.setProperty("password", p));
            props.setProperty("tcpKeepAlive", "true");
            props.setProperty("ApplicationName", APPLICATION_NAME);
            try (Connection c = new org.postgresql.Driver().connect(url, props)) {
                listening = c;
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN \"" + channel + "\"");
                }
                if (!first) {
                    LOG.infof("listening for desired-state changes again; resyncing the regions held here");
                    workers.resyncHeld();
                }
                first = false;
                backoff = 1000;
                PGConnection pg = c.unwrap(PGConnection.class);
                long lastHeard = System.nanoTime();
                while (running) {
                    PGNotification[] notes = pg.getNotifications(WAIT_MILLIS);
                    if (notes != null && notes.length > 0) {
                        lastHeard = System.nanoTime();
                        for (PGNotification n : notes) {
                            handle(n.getParameter());
                        }
                    } else if (System.nanoTime() - lastHeard > PING_NANOS) {
                        // A round trip fails on a dead connection, which then reconnects and resyncs.
                        try (Statement st = c.createStatement()) {
                            st.execute("select 1");
                        }
                        lastHeard = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warnf("listening for desired-state changes failed, again in %d ms: %s", backoff, e.getMessage());
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

    private void handle(String payload) {
        int space = payload == null ? -1 : payload.indexOf(' ');
        if (space <= 0 || payload.substring(0, space).equals(leases.holder())) {
            return;
        }
        heard++;
        String subject = payload.substring(space + 1);
        if (subject.startsWith(LIVE)) {
            live.heard(subject.substring(LIVE.length()));
            return;
        }
        workers.changed(subject);
        live.heard(subject);
    }
}
