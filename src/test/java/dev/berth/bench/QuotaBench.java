package dev.berth.bench;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.quotas.AppFootprint;
import dev.berth.quotas.QuotaService;
import dev.berth.tenancy.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.TransactionManager;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in benchmark of the quota check (run by bench/run with {@code -Dberth.bench=true}):
 * <ul>
 * <li>the check's own latency, as app creation and scaling pay it: {@code QuotaService.checkAppCreate} and
 * {@code checkAppChange} timed inside a transaction (row lock on the tenant plus the usage query over the tenant's
 * apps and reservations), for a tenant with {@code berth.bench.quota-apps} (500) apps, then rolled back; target
 * p99 at most 2 ms;</li>
 * <li>for scale: the whole API call (create, scale) over loopback HTTP, sequential;</li>
 * <li>concurrent creates at the limit: {@code berth.bench.clients} (50) clients send twice as many creates as the
 * tenant's app limit allows; throughput, latency, and that exactly the limit's number succeeded.</li>
 * </ul>
 */
@QuarkusTest
@TestProfile(BenchProfile.class)
@Tag("bench")
@EnabledIfSystemProperty(named = "berth.bench", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class QuotaBench {
    static final int APPS = Integer.getInteger("berth.bench.quota-apps", 500);
    static final int CHECKS = Integer.getInteger("berth.bench.quota-checks", 2000);
    static final int CALLS = Integer.getInteger("berth.bench.quota-calls", 300);
    static final int CLIENTS = Integer.getInteger("berth.bench.clients", 50);
    static final int LIMIT = Integer.getInteger("berth.bench.quota-limit", 200);
    static final double TARGET_MS = 2;
    static final BenchReport REPORT = new BenchReport();
    static final AppFootprint SMALL = new AppFootprint(1, 10, 50, 16L << 20, 64L << 20, false);

    @Inject
    QuotaService quota;
    @Inject
    EntityManager em;
    @Inject
    TransactionManager tm;
    @TestHTTPResource("/")
    URL base;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** A tenant with room for everything and {@code apps} apps inserted with SQL (0 replicas: no pods to run). */
    private long bigTenant(String slug, int apps) {
        json().body(Map.of("slug", slug, "cpu", "1000", "memory", "4Ti", "pods", 10_000, "apps", 1_000,
                "owners", List.of("admin"), "overrides", Map.of("replicasPerApp", 100))).post("/api/v1/tenants")
                .then().statusCode(201);
        long id = QuarkusTransaction.requiringNew().call(() -> Tenant.findBySlug(slug).id);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("insert into app (tenant_id, name, image, "
                + "port, replicas, cpu_request_millis, cpu_limit_millis, memory_request_bytes, memory_limit_bytes, env, "
                + "secret_env) select ?1, 'app-' || lpad(g::text, 5, '0'), 'registry.example.com/bench/app:' || g, "
                + "8080, 0, 10, 50, 16777216, 67108864, '{}'::jsonb, '{}'::jsonb from generate_series(1, ?2) g")
                .setParameter(1, id).setParameter(2, apps).executeUpdate());
        return id;
    }

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * Runs {@code check} in a transaction that is rolled back, timing the check alone: wall time, and the CPU time
     * of this thread (Berth's own work, without PostgreSQL's and without waiting for a core on a busy machine).
     */
    private void timed(Runnable check, LongConsumer nanos, LongConsumer cpuNanos) throws Exception {
        tm.begin();
        try {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            check.run();
            nanos.accept(System.nanoTime() - t0);
            cpuNanos.accept(THREADS.getCurrentThreadCpuTime() - c0);
        } finally {
            tm.rollback();
        }
    }

    @Test
    @Order(1)
    void quotaCheckLatencyOnCreateAndScale() throws Exception {
        long t = bigTenant("bench-quota", APPS);
        long appId = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select id from app where tenant_id = ?1 order by id limit 1").setParameter(1, t).getSingleResult())
                .longValue());
        AppFootprint one = SMALL;
        AppFootprint two = SMALL.withReplicas(2);
        for (int i = 0; i < 200; i++) {
            timed(() -> quota.checkAppCreate(t, SMALL), n -> { }, n -> { });
            timed(() -> quota.checkAppChange(t, appId, one, two), n -> { }, n -> { });
        }
        String loadBefore = loadAverage();
        long[] create = new long[CHECKS];
        long[] scale = new long[CHECKS];
        long[] createCpu = new long[CHECKS];
        long[] scaleCpu = new long[CHECKS];
        for (int i = 0; i < CHECKS; i++) {
            int k = i;
            timed(() -> quota.checkAppCreate(t, SMALL), n -> create[k] = n, n -> createCpu[k] = n);
            timed(() -> quota.checkAppChange(t, appId, one, two), n -> scale[k] = n, n -> scaleCpu[k] = n);
        }
        // Where the check's time goes: the row lock alone, then the rest of the same check (the lock is held and
        // cached for the transaction, so this is the usage query and the arithmetic), in one transaction each.
        long[] lockOnly = new long[CHECKS];
        long[] usageOnly = new long[CHECKS];
        for (int i = 0; i < CHECKS; i++) {
            int k = i;
            timed(() -> {
                long t0 = System.nanoTime();
                quota.lock(t);
                long t1 = System.nanoTime();
                quota.checkAppCreate(t, SMALL);
                lockOnly[k] = t1 - t0;
                usageOnly[k] = System.nanoTime() - t1;
            }, n -> { }, n -> { });
        }
        report("Quota check on app create (" + APPS + " apps in the tenant)", create);
        split("Quota check on app create, its parts: row lock on the tenant", lockOnly);
        split("Quota check on app create, its parts: usage query and arithmetic (lock held)", usageOnly);
        report("Quota check on scale 1 -> 2 replicas (" + APPS + " apps in the tenant)", scale);
        cpu("Quota check on app create: CPU time in Berth's thread", createCpu);
        cpu("Quota check on scale: CPU time in Berth's thread", scaleCpu);
        REPORT.note("load average before / after the check loop: " + loadBefore + " / " + loadAverage()
                + " (2 cores; wall-clock figures include waiting for a core)");
        REPORT.note("quota check timed inside the caller's transaction (SELECT ... FOR UPDATE on the tenant, then the "
                + "usage query over apps, reservations and build time), " + CHECKS + " of each after 200 warm-up, "
                + "each transaction rolled back");
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        REPORT.add(what + ": p99", LoadDriver.pct(sorted, 0.99), "ms", TARGET_MS);
        REPORT.add(what + ": p50 / p95 / max", BenchReport.fmt(LoadDriver.pct(sorted, 0.50)) + " / "
                + BenchReport.fmt(LoadDriver.pct(sorted, 0.95)) + " / "
                + BenchReport.fmt(sorted[sorted.length - 1] / 1e6) + " ms", "-", "-");
    }

    private static void split(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        REPORT.add(what + ": p50 / p99 / max", BenchReport.fmt(LoadDriver.pct(sorted, 0.50)) + " / "
                + BenchReport.fmt(LoadDriver.pct(sorted, 0.99)) + " / "
                + BenchReport.fmt(sorted[sorted.length - 1] / 1e6) + " ms", "-", "-");
    }

    private static void cpu(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        REPORT.add(what + ": p50 / p99", BenchReport.fmt(LoadDriver.pct(sorted, 0.50)) + " / "
                + BenchReport.fmt(LoadDriver.pct(sorted, 0.99)) + " ms", "-", "-");
    }

    static String loadAverage() {
        try {
            return String.join(" ", java.util.Arrays.copyOf(java.nio.file.Files.readString(
                    Path.of("/proc/loadavg")).trim().split(" "), 3));
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private String token(String slug) {
        return json().body(Map.of("name", "bench", "role", "developer")).post("/api/v1/tenants/" + slug + "/tokens")
                .then().statusCode(201).extract().path("secret");
    }

    private HttpResponse<String> send(String token, String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.toURI().resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String app(String name) {
        return "{\"name\":\"" + name + "\",\"image\":\"registry.example.com/bench/" + name + ":1\",\"replicas\":0,"
                + "\"resources\":{\"cpuRequest\":\"10m\",\"cpuLimit\":\"50m\",\"memoryRequest\":\"16Mi\","
                + "\"memoryLimit\":\"64Mi\"}}";
    }

    @Test
    @Order(2)
    void apiCreateAndScaleLatency() throws Exception {
        String slug = "bench-quota-api";
        bigTenant(slug, APPS);
        String token = token(slug);
        long[] create = new long[CALLS];
        long[] scale = new long[CALLS];
        for (int i = 0; i < CALLS + 20; i++) {
            String name = "api-" + i;
            long t0 = System.nanoTime();
            HttpResponse<String> r = send(token, "POST", "/api/v1/tenants/" + slug + "/apps", app(name));
            long t1 = System.nanoTime();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            HttpResponse<String> s = send(token, "PATCH", "/api/v1/tenants/" + slug + "/apps/" + name,
                    "{\"replicas\":1}");
            long t2 = System.nanoTime();
            assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
            if (i >= 20) {
                create[i - 20] = t1 - t0;
                scale[i - 20] = t2 - t1;
            }
        }
        Arrays.sort(create);
        Arrays.sort(scale);
        REPORT.add("API create (whole request, for scale): p50 / p99", BenchReport.fmt(LoadDriver.pct(create, 0.5))
                + " / " + BenchReport.fmt(LoadDriver.pct(create, 0.99)) + " ms", "-", "-");
        REPORT.add("API scale 0 -> 1 replica (whole request, for scale): p50 / p99",
                BenchReport.fmt(LoadDriver.pct(scale, 0.5)) + " / " + BenchReport.fmt(LoadDriver.pct(scale, 0.99))
                        + " ms", "-", "-");
        REPORT.note("API calls: " + CALLS + " creates and " + CALLS + " scales after 20 warm-up, sequential, one "
                + "client, bearer API token, loopback HTTP/1.1, tenant with " + APPS + "+ apps");
    }

    @Test
    @Order(3)
    void concurrentCreatesAtTheLimit() throws Exception {
        String slug = "bench-quota-race";
        json().body(Map.of("slug", slug, "cpu", "1000", "memory", "4Ti", "pods", 10_000, "apps", LIMIT, "owners",
                List.of("admin"))).post("/api/v1/tenants").then().statusCode(201);
        String token = token(slug);
        int requests = 2 * LIMIT;
        long[] nanos = new long[requests];
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger retried = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            pool.execute(() -> {
                try {
                    start.await();
                    for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        var r = send(token, "POST", "/api/v1/tenants/" + slug + "/apps", app("race-" + i));
                        // A client that honours 503 + Retry-After, as Berth asks when its database is too busy.
                        while (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()) {
                            retried.incrementAndGet();
                            Thread.sleep(1000L * Integer.parseInt(r.headers().firstValue("Retry-After").get()));
                            r = send(token, "POST", "/api/v1/tenants/" + slug + "/apps", app("race-" + i));
                        }
                        nanos[i] = System.nanoTime() - t0;
                        statuses.merge(r.statusCode(), 1, Integer::sum);
                    }
                } catch (Exception e) {
                    statuses.merge(-1, 1, Integer::sum);
                }
            });
        }
        String loadBefore = loadAverage();
        long t0 = System.nanoTime();
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.MINUTES)).isTrue();
        double seconds = (System.nanoTime() - t0) / 1e9;
        long created = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from app a join tenant t on t.id = a.tenant_id where t.slug = ?1")
                .setParameter(1, slug).getSingleResult()).longValue());
        Arrays.sort(nanos);
        boolean exact = statuses.getOrDefault(201, 0) == LIMIT && statuses.getOrDefault(422, 0) == LIMIT
                && created == LIMIT;
        REPORT.add("Concurrent creates at the limit: throughput (" + CLIENTS + " clients, " + requests
                + " creates, limit " + LIMIT + " apps)", BenchReport.fmt(requests / seconds) + " req/s", "-", "-");
        REPORT.add("same: p50 / p99 per request", BenchReport.fmt(LoadDriver.pct(nanos, 0.5)) + " / "
                + BenchReport.fmt(LoadDriver.pct(nanos, 0.99)) + " ms", "-", "-");
        REPORT.add("same: answers and apps stored", new TreeMap<>(statuses) + ", " + created + " apps",
                LIMIT + " x 201, " + LIMIT + " x 422, " + LIMIT + " apps", exact ? "met" : "MISSED");
        REPORT.add("same: 503 + Retry-After answers (the database too busy; each retried after the time it asked)",
                String.valueOf(retried.get()), "-", "-");
        REPORT.note("concurrent creates: load average before / after " + loadBefore + " / " + loadAverage());
    }

    @AfterAll
    static void printReport() {
        REPORT.note("in-process @QuarkusTest (test profile, sandbox region), real PostgreSQL on loopback");
        REPORT.print(Path.of(System.getProperty("berth.bench.quota-report", "target/bench/quotas.txt")));
    }
}
