package dev.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testsupport.Sandbox;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in benchmark of the platform admin's views at scale ({@code -Dberth.bench.scale=true}, run by
 * {@code bench/run --scale-only}): {@link ScaleData} fills the schema with 10,000 tenants, 100,000 apps, 1,000,000
 * audit events and 1,000,000 usage samples in set-based SQL, then 50 clients measure the admin tenant list (API
 * and page, first and deep pages, offset and cursor), its search, audit paging, and the usage views, each next to
 * the raw SQL of the same rows and a trivial authenticated GET measured in the same run.
 * <p>
 * The generated tenants are placed in the sandbox region, but no reconcile runs for them: before filling, the
 * region's lease is handed to a holder that is not this instance (as if another replica reconciled the region), so
 * the benchmark measures reads without 300,000 cluster objects being created beside it.
 */
@QuarkusTest
@TestProfile(BenchProfile.class)
@Tag("bench")
@EnabledIfSystemProperty(named = "berth.bench.scale", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleBench {
    static final ScaleData.Sizes SIZES = new ScaleData.Sizes(Integer.getInteger("berth.bench.scale-tenants", 10_000),
            Integer.getInteger("berth.bench.scale-apps", 100_000),
            Integer.getInteger("berth.bench.scale-audit", 1_000_000),
            Integer.getInteger("berth.bench.scale-usage", 1_000_000));
    static final int CLIENTS = Integer.getInteger("berth.bench.clients", 50);
    static final int REQUESTS = Integer.getInteger("berth.bench.scale-requests", 1000);
    static final int WARMUP = Integer.getInteger("berth.bench.warmup", 200);
    static final double TARGET_MS = 100;
    static final BenchReport REPORT = new BenchReport();
    static boolean filled;

    @Inject
    AgroalDataSource db;
    @TestHTTPResource("/")
    URL base;

    @Test
    @Order(1)
    void fillTheSchema() throws SQLException {
        try (Connection c = db.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("insert into region_lease (region_id, holder, expires_at) "
                    + "select id, 'scale-bench-parked/0/0', now() + interval '1 day' from region where name = ? "
                    + "on conflict (region_id) do update set holder = excluded.holder, expires_at = excluded.expires_at")) {
                ps.setString(1, Sandbox.REGION);
                ps.executeUpdate();
            }
            long t0 = System.nanoTime();
            String steps = ScaleData.fill(c, SIZES, Sandbox.REGION);
            double seconds = (System.nanoTime() - t0) / 1e9;
            REPORT.add("Generate " + SIZES.tenants() + " tenants, " + SIZES.apps() + " apps, " + SIZES.audit()
                    + " audit events, " + SIZES.usage() + " usage samples (set-based SQL)", BenchReport.fmt(seconds)
                    + " s", "minutes", "-");
            REPORT.note("generation steps: " + steps);
        }
        filled = true;
    }

    @Test
    @Order(2)
    void adminViewsUnderConcurrentClients() throws Exception {
        assertThat(filled).as("data generated").isTrue();
        URI root = base.toURI();
        LoadDriver driver = new LoadDriver(LoadDriver.formLogin(root, "admin", "admin"));
        Anchored m = new Anchored(driver, REPORT, db, CLIENTS, REQUESTS, WARMUP, TARGET_MS);
        REPORT.note("load average at the start of the measurements: " + QuotaBench.loadAverage());
        m.trivial("Anchor: trivial authenticated GET /api/v1/plans/team", root.resolve("/api/v1/plans/team"));

        String tenants = "select t.slug, t.display_name, t.plan_id from tenant t ";
        m.endpoint("GET /api/v1/tenants (first page of 50)", root.resolve("/api/v1/tenants"),
                tenants + "order by t.slug limit 50", List.of(), 50);
        int deep = SIZES.tenants() / 50 * 3 / 4;
        m.endpoint("GET /api/v1/tenants?page=" + deep + " (deep page by offset)",
                root.resolve("/api/v1/tenants?page=" + deep),
                tenants + "order by t.slug limit 50 offset " + deep * 50, List.of(), 50);
        String after = String.format("scale-%06d", deep * 50);
        m.endpoint("GET /api/v1/tenants?after=" + after + " (the same depth by cursor)",
                root.resolve("/api/v1/tenants?after=" + after),
                tenants + "where t.slug > ? order by t.slug limit 50", List.of(after), 50);
        String q = String.format("scale-%05d", SIZES.tenants() / 20);
        m.endpoint("GET /api/v1/tenants?q=" + q + " (search)", root.resolve("/api/v1/tenants?q=" + q),
                tenants + "where t.slug like ? or lower(t.display_name) like ? order by t.slug limit 50",
                List.of("%" + q + "%", "%" + q + "%"), -1);
        m.endpoint("GET /tenants (admin page, first 50 tenants)", root.resolve("/tenants"),
                tenants + "order by t.slug limit 50", List.of(), 50);
        m.endpoint("GET /tenants?q=" + q + " (admin page, search)", root.resolve("/tenants?q=" + q),
                tenants + "where t.slug like ? or lower(t.display_name) like ? order by t.slug limit 50",
                List.of("%" + q + "%", "%" + q + "%"), -1);

        String audit = "select a.id, a.at, a.actor, a.tenant_slug, a.app_name, a.action, a.summary, a.result "
                + "from audit_event a ";
        m.endpoint("GET /api/v1/audit?limit=50 (newest page of 1,000,000)", root.resolve("/api/v1/audit?limit=50"),
                audit + "order by a.at desc, a.id desc limit 50", List.of(), 50);
        long middle = auditIdAt(SIZES.audit() / 2);
        Timestamp middleAt = auditTime(middle);
        m.endpoint("GET /api/v1/audit?limit=50&before={id} (a page half-way down, by cursor)",
                root.resolve("/api/v1/audit?limit=50&before=" + middle),
                audit + "where (a.at, a.id) < (?, ?) order by a.at desc, a.id desc limit 50",
                List.of(middleAt, middle), 50);
        String one = String.format("scale-%06d", 42);
        m.endpoint("GET /api/v1/audit?tenant=" + one + "&limit=50 (one tenant's newest page)",
                root.resolve("/api/v1/audit?tenant=" + one + "&limit=50"),
                audit + "where a.tenant_slug = ? order by a.at desc, a.id desc limit 50", List.of(one), 50);

        m.endpoint("GET /api/v1/tenants/{t}/usage/history (24 h of one tenant)",
                root.resolve("/api/v1/tenants/" + one + "/usage/history"),
                "select s.* from usage_sample s join tenant t on t.id = s.tenant_id where t.slug = ? "
                        + "and s.sampled_at >= now() - interval '24 hours' order by s.sampled_at",
                List.of(one), -1);
        m.endpoint("GET /api/v1/usage (tenants near or over a limit, latest sample)", root.resolve("/api/v1/usage"),
                "select s.* from usage_sample s where s.sampled_at = (select max(sampled_at) from usage_sample) "
                        + "and s.apps * 100 >= s.limit_apps * 80 order by s.tenant_id limit 50", List.of(), -1);
        m.endpoint("GET /t/{t} (a scale tenant's dashboard: usage charts over 7 days)",
                root.resolve("/t/" + one), "select s.* from usage_sample s join tenant t on t.id = s.tenant_id "
                        + "where t.slug = ? and s.sampled_at >= now() - interval '7 days'", List.of(one), -1);
        m.trivial("Anchor again at the end: trivial authenticated GET", root.resolve("/api/v1/plans/team"));
        REPORT.note("load average at the end of the measurements: " + QuotaBench.loadAverage());
    }

    private long auditIdAt(int offset) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select id from audit_event order by at desc, id desc offset ? limit 1")) {
            ps.setInt(1, offset);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private Timestamp auditTime(long id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select at from audit_event where id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1);
            }
        }
    }

    @AfterAll
    static void printReport() {
        REPORT.note("setup: " + SIZES + " generated with set-based SQL; " + CLIENTS + " clients, " + REQUESTS
                + " measured requests per endpoint after " + WARMUP + " warm-up requests; admin session cookie");
        REPORT.print(Path.of(System.getProperty("berth.bench.report", "target/bench/scale.txt")));
    }
}
