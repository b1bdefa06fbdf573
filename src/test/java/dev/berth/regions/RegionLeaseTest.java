package dev.berth.regions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.notices.Notices;
import dev.berth.reconcile.DesiredStateFeed;
import dev.berth.reconcile.RegionLeases;
import dev.berth.reconcile.RegionWorkers;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.MockRegions.MockRegion;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Several Berth instances share one database: only the instance holding a region's lease writes to it, another
 * takes over a lease whose holder stopped renewing, and a change committed on one instance reaches the holder at
 * once through the database.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class RegionLeaseTest {
    private static final String ELSEWHERE = "other-host/4242/abcdef12";
    private final MockRegions regions = new MockRegions();
    @Inject
    RegionLeases leases;
    @Inject
    RegionWorkers workers;
    @Inject
    RegionClients clients;
    @Inject
    DataSource db;
    @Inject
    Notices notices;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;

    @AfterEach
    void cleanUp() {
        // Takeovers and reconnects start full resyncs: let them finish here, not in the next test's measurements.
        clients.all().forEach(c -> workers.awaitIdle(c.info().name()));
        regions.close();
    }

    private void sql(String statement, Object... args) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.execute();
        }
    }

    private String holderOf(String region) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select l.holder from region_lease l join region r on r.id = l.region_id where r.name = ?")) {
            ps.setString(1, region);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static Integer replicas(MockRegion r, String slug) {
        var d = ReplicationTest.deployment(r, slug, "web");
        return d == null ? null : d.getSpec().getReplicas();
    }

    @Test
    void onlyTheHolderWritesToARegionAndAnExpiredLeaseIsTakenOver() throws Exception {
        String slug = ReplicationTest.tenant(40);
        MockRegion x = regions.register("ls-x", 1, 1, slug);
        assertThat(holderOf("ls-x")).isEqualTo(leases.holder());
        assertThat(workers.holds("ls-x")).isTrue();
        assertThat(holderOf("local")).as("the sandbox region").isEqualTo(leases.holder());

        // Another instance holds the region: this one keeps watching it but writes nothing there.
        sql("update region_lease set holder = ?, expires_at = now() + interval '1 hour' where region_id = "
                + "(select id from region where name = 'ls-x')", ELSEWHERE);
        assertThat(leases.renew()).contains("local").doesNotContain("ls-x");
        assertThat(workers.holds("ls-x")).isFalse();
        Api.createApp(slug, Api.app("web"));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> replicas(x, slug) == null);
        assertThat(holderOf("ls-x")).isEqualTo(ELSEWHERE);

        // That instance stops renewing (it crashed): once its lease has expired, this one takes over and catches up.
        sql("update region_lease set expires_at = now() - interval '1 second' where holder = ?", ELSEWHERE);
        assertThat(leases.renew()).contains("local", "ls-x");
        assertThat(holderOf("ls-x")).isEqualTo(leases.holder());
        await().atMost(Duration.ofSeconds(30)).until(() -> Integer.valueOf(1).equals(replicas(x, slug)));
    }

    /** A Berth process on this host that died (killed, container restarted) does not hold its regions for a lease. */
    @Test
    void leasesLeftByADeadProcessOfThisHostAreFreedAndTakenAtOnce() throws Exception {
        String slug = ReplicationTest.tenant(40);
        regions.register("ls-d", 1, 1, slug);
        String host = leases.holder().substring(0, leases.holder().indexOf('/'));
        long dead = 4_194_305; // above the largest pid_max Linux allows: no such process
        String alive = host + "/" + ProcessHandle.current().parent().orElseThrow().pid() + "/0000live";
        sql("update region_lease set holder = ?, expires_at = now() + interval '1 hour' where region_id = "
                + "(select id from region where name = 'ls-d')", host + "/" + dead + "/0000dead");
        sql("update region_lease set holder = ?, expires_at = now() + interval '1 hour' where region_id = "
                + "(select id from region where name = 'local')", alive);
        try {
            assertThat(leases.freeLeftovers()).isEqualTo(1);
            assertThat(leases.renew()).contains("ls-d").doesNotContain("local");
            assertThat(holderOf("local")).as("a live process keeps its lease").isEqualTo(alive);
        } finally {
            sql("update region_lease set expires_at = now() - interval '1 second' where holder = ?", alive);
            assertThat(leases.renew()).contains("local", "ls-d");
        }
    }

    @Test
    void aChangeCommittedByAnotherInstanceReachesTheHolderAtOnce() throws Exception {
        String slug = ReplicationTest.tenant(40);
        MockRegion x = regions.register("ls-n", 1, 1, slug);
        Api.createApp(slug, Api.app("web"));
        await().atMost(Duration.ofSeconds(30)).until(() -> Integer.valueOf(1).equals(replicas(x, slug)));
        WaveRolloutTest.awaitState(slug, "succeeded");

        // Another instance scales the app: it commits (no event in this instance), then notifies; the holder hears
        // it and converges the tenant (the periodic resync is an hour away in tests).
        long heard = feed().heard();
        sql("update app set replicas = 2 where name = 'web' and tenant_id = (select id from tenant where slug = ?)",
                slug);
        sql("select pg_notify(?, ?)", channel(), ELSEWHERE + " " + slug);
        await().atMost(Duration.ofSeconds(30)).until(() -> Integer.valueOf(2).equals(replicas(x, slug)));
        await().atMost(Duration.ofSeconds(5)).until(() -> feed().heard() > heard);
    }

    /** A listening connection that dies (database restarted, connection cut) is opened again and hears again. */
    @Test
    void theListenerReconnectsAfterItsConnectionIsKilled() throws Exception {
        String slug = ReplicationTest.tenant(40);
        long heard = feed().heard();
        long reconnects = notices.reconnects();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity "
                        + "where application_name = ? and datname = current_database()")) {
            ps.setString(1, notices.applicationName());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).as("listening connections cut").isPositive();
            }
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            sql("select pg_notify(?, ?)", channel(), ELSEWHERE + " " + slug);
            return feed().heard() > heard;
        });
        assertThat(notices.reconnects()).as("the reconnect was signalled (and the held regions resynced)")
                .isGreaterThan(reconnects);
    }

    @Test
    void aCommittedChangeIsAnnouncedToTheOtherInstances() throws Exception {
        String slug = ReplicationTest.tenant(40);
        Api.createApp(slug, Api.app("web"));
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        try (Connection other = new org.postgresql.Driver().connect(url, props)) {
            try (Statement st = other.createStatement()) {
                st.execute("LISTEN \"" + channel() + "\"");
            }
            Api.json().body(Map.of("replicas", 2)).patch(Api.app(slug, "web")).then().statusCode(200);
            List<String> heard = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!heard.contains(leases.holder() + " " + slug) && System.nanoTime() < deadline) {
                PGNotification[] notes = other.unwrap(PGConnection.class).getNotifications(500);
                for (PGNotification n : notes == null ? new PGNotification[0] : notes) {
                    heard.add(n.getParameter());
                }
            }
            assertThat(heard).contains(leases.holder() + " " + slug);
        }
    }

    private String channel() throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select current_schema()")) {
            rs.next();
            return "berth_desired_" + rs.getString(1);
        }
    }

    private static DesiredStateFeed feed() {
        return io.quarkus.arc.Arc.container().instance(DesiredStateFeed.class).get();
    }
}
