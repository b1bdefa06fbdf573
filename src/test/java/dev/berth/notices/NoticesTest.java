package dev.berth.notices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The instance's one listener: several channels on one connection, each notification to its own channel's
 * subscribers only, and a connection whose backend is terminated is opened again, listens on every channel again,
 * signals the reconnect to every subscriber, and delivers again.
 */
@QuarkusTest
class NoticesTest {
    @Inject
    Notices notices;
    @Inject
    DataSource db;

    /** A subscriber that records what it is told. */
    static final class Recorder implements Notices.Subscriber {
        final List<String> heard = new CopyOnWriteArrayList<>();
        final AtomicInteger reconnects = new AtomicInteger();

        @Override
        public void notified(String payload) {
            heard.add(payload);
        }

        @Override
        public void reconnected() {
            reconnects.incrementAndGet();
        }
    }

    @Test
    void twoChannelsShareOneConnectionAndAReconnectDeliversAgainAndIsSignalled() throws Exception {
        String a = notices.channel("test_a");
        String b = notices.channel("test_b");
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        try (Notices.Subscription sa = notices.subscribe(a, ra); Notices.Subscription sb = notices.subscribe(b, rb)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> notices.listening(a) && notices.listening(b));
            int before = notices.backendPid().orElseThrow();
            assertThat(connections()).as("one listening connection for every channel").isEqualTo(1);

            assertThat(notices.send(a, "one")).isTrue();
            assertThat(notices.send(b, "two")).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> ra.heard.contains("one") && rb.heard.contains("two"));
            assertThat(ra.heard).containsExactly("one");
            assertThat(rb.heard).containsExactly("two");

            long reconnects = notices.reconnects();
            try (Connection c = db.getConnection();
                    PreparedStatement ps = c.prepareStatement("select pg_terminate_backend(?)")) {
                ps.setInt(1, before);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getBoolean(1)).as("listening backend terminated").isTrue();
                }
            }
            // The first back-off is a second; then the new connection listens on both channels again.
            await().atMost(Duration.ofSeconds(15)).until(() -> ra.reconnects.get() == 1 && rb.reconnects.get() == 1);
            assertThat(notices.reconnects()).isEqualTo(reconnects + 1);
            assertThat(notices.backendPid()).isPresent().isNotEqualTo(java.util.OptionalInt.of(before));
            assertThat(notices.listening(a) && notices.listening(b)).isTrue();

            notices.send(a, "three");
            notices.send(b, "four");
            await().atMost(Duration.ofSeconds(5)).until(() -> ra.heard.contains("three") && rb.heard.contains("four"));
            assertThat(ra.heard).containsExactly("one", "three");
            assertThat(rb.heard).containsExactly("two", "four");
            assertThat(connections()).isEqualTo(1);
        }
        // A closed subscription hears nothing more.
        Recorder probe = new Recorder();
        try (Notices.Subscription sp = notices.subscribe(a, probe)) {
            notices.send(a, "five");
            await().atMost(Duration.ofSeconds(5)).until(() -> probe.heard.contains("five"));
        }
        assertThat(ra.heard).containsExactly("one", "three");
    }

    @Test
    void channelsAreNamedAfterTheSchemaAndKeptWithinPostgresLimit() {
        assertThat(Notices.channel("desired", "berth_test")).isEqualTo("berth_desired_berth_test");
        assertThat(Notices.channel("buildlog", "Team-A")).isEqualTo("berth_buildlog_team_a");
        assertThat(Notices.channel("desired", "s".repeat(100))).hasSize(63);
    }

    /** Connections of this schema's Berth instances listening (the test JVM is the only one on its schema). */
    private long connections() throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select count(*) from pg_stat_activity where application_name = ?")) {
            ps.setString(1, notices.applicationName());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
