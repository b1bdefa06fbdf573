package dev.berth.bench;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.reconcile.ReconcileResult;
import dev.berth.reconcile.RegionWorkers;
import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in benchmark of releases (run by bench/run with {@code -Dberth.bench=true}):
 * <ul>
 * <li>blue/green switch latency: from sending {@code POST .../releases/promote} to a watch on the sandbox API
 * server seeing the Service's selector name the new colour, p50/p99 over {@code berth.bench.switches} switches,
 * and the cluster writes each switch caused (target: exactly 1);</li>
 * <li>cluster writes of a deploy that changes nothing (target 0);</li>
 * <li>a no-op resync of {@code berth.bench.resync-apps} apps (10,000; target 0 writes, at most 10 s). These apps are
 * inserted with SQL (10 tenants), since creating 10,000 apps through the API would measure the API instead.</li>
 * </ul>
 */
@QuarkusTest
@TestProfile(BenchProfile.class)
@Tag("bench")
@EnabledIfSystemProperty(named = "berth.bench", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class ReleaseBench {
    static final int SWITCHES = Integer.getInteger("berth.bench.switches", 50);
    static final int RESYNC_APPS = Integer.getInteger("berth.bench.resync-apps", 10_000);
    static final int RESYNC_TENANTS = 10;
    static final BenchReport REPORT = new BenchReport();

    @Inject
    Sandbox sandbox;
    @Inject
    RegionWorkers workers;
    @Inject
    EntityManager em;
    @TestHTTPResource("/")
    URL base;

    static String releases(String slug) {
        return Api.app(slug, "web") + "/releases";
    }

    static String state(String slug) {
        return json().get(releases(slug) + "/rollout").then().statusCode(200).extract().path("state");
    }

    static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    @Order(1)
    void blueGreenSwitchLatencyAndWrites() throws Exception {
        String slug = Api.createTenant("bench-bg");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/bench/web:0", "replicas", 2));
        await("first release", () -> "succeeded".equals(state(slug)));
        json().body(Map.of("strategy", "blue-green", "autoPromote", false, "holdSeconds", 3600))
                .put(Api.app(slug, "web") + "/deploy-settings").then().statusCode(200);
        await("strategy change", () -> "succeeded".equals(state(slug)));
        String ns = "berth-" + slug;
        AtomicReference<String> colour = new AtomicReference<>();
        AtomicLong seenAt = new AtomicLong();
        AtomicReference<CountDownLatch> changed = new AtomicReference<>(new CountDownLatch(1));
        AtomicReference<String> wanted = new AtomicReference<>("-");
        try (Watch w = sandbox.client().services().inNamespace(ns).withName("web").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Service s) {
                long now = System.nanoTime();
                String c = s.getSpec().getSelector().get("berth.dev/color");
                colour.set(c);
                if (wanted.get().equals(c)) {
                    seenAt.set(now);
                    changed.get().countDown();
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            List<Double> millis = new ArrayList<>();
            List<Double> responses = new ArrayList<>();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<Long> writes = new ArrayList<>();
            for (int i = 1; i <= SWITCHES; i++) {
                json().body(Map.of("image", "registry.example.com/bench/web:" + i)).post(releases(slug)).then()
                        .statusCode(202);
                await("release " + i + " ready", () -> "awaiting-promote".equals(state(slug)));
                sandbox.settle();
                String target = "blue".equals(colour.get()) ? "green" : "blue";
                wanted.set(target);
                changed.set(new CountDownLatch(1));
                long before = sandbox.writes();
                long t0 = System.nanoTime();
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base.toURI().resolve(releases(slug)
                        + "/promote")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.discarding());
                long answered = System.nanoTime();
                assertThat(r.statusCode()).isEqualTo(202);
                assertThat(changed.get().await(30, TimeUnit.SECONDS)).as("selector changed").isTrue();
                millis.add((seenAt.get() - t0) / 1e6);
                responses.add((answered - t0) / 1e6);
                sandbox.settle();
                writes.add(sandbox.writes() - before);
            }
            List<Double> warm = new ArrayList<>(millis.subList(Math.min(3, millis.size() - 1), millis.size()));
            Collections.sort(warm);
            REPORT.add("Blue/green switch, API call -> Service selector changed: p50", pct(warm, 50), "ms", 30);
            REPORT.add("Blue/green switch, API call -> Service selector changed: p99", pct(warm, 99), "ms", 30);
            List<Double> answers = new ArrayList<>(responses.subList(Math.min(3, responses.size() - 1),
                    responses.size()));
            Collections.sort(answers);
            REPORT.add("Promote API response time (for comparison): p50 / p99", BenchReport.fmt(pct(answers, 50))
                    + " / " + BenchReport.fmt(pct(answers, 99)) + " ms", "-", "-");
            long exact = writes.stream().filter(n -> n == 1).count();
            REPORT.add("Cluster writes per switch (" + writes.size() + " switches)",
                    "min " + Collections.min(writes) + ", max " + Collections.max(writes), "exactly 1",
                    exact == writes.size() ? "met" : "MISSED (" + (writes.size() - exact) + " not 1)");
            REPORT.note("switch latency over " + warm.size() + " switches after " + (millis.size() - warm.size())
                    + " warm-up switches; promote over loopback HTTP, change observed by a watch on the sandbox API"
                    + " server; all (ms): " + millis.stream().map(BenchReport::fmt).toList());

            // A deploy that changes nothing: the same image again, and the same settings again.
            sandbox.settle();
            long before = sandbox.writes();
            String current = json().get(Api.app(slug, "web")).then().extract().path("image");
            json().body(Map.of("image", current)).post(releases(slug)).then().statusCode(200);
            json().body(Map.of("image", current)).patch(Api.app(slug, "web")).then().statusCode(200);
            sandbox.settle();
            long noop = sandbox.writes() - before;
            REPORT.add("Cluster writes of a deploy that changes nothing", String.valueOf(noop), "0",
                    noop == 0 ? "met" : "MISSED");
        }
    }

    static double pct(List<Double> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    @Test
    @Order(2)
    void noOpResyncOfManyApps() throws Exception {
        int perTenant = RESYNC_APPS / RESYNC_TENANTS;
        for (int t = 0; t < RESYNC_TENANTS; t++) {
            String slug = Api.createTenant("bench-rs");
            QuarkusTransaction.requiringNew().run(() -> insertApps(em, Tenant.findBySlug(slug).id, perTenant));
        }
        long t0 = System.nanoTime();
        ReconcileResult first = workers.resyncNow(Sandbox.REGION);
        REPORT.note("set-up: the resync after the SQL insert wrote " + first.writes() + " objects in "
                + BenchReport.fmt((System.nanoTime() - t0) / 1e9) + " s (the tenants' own converges wrote the rest)");
        // Let the simulated kubelet write every Deployment's status and the worker catch up with those events.
        for (int i = 0; i < 30; i++) {
            Thread.sleep(2000);
            sandbox.settle();
            if (workers.resyncNow(Sandbox.REGION).writes() == 0) {
                break;
            }
        }
        List<ReconcileResult> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(workers.resyncNow(Sandbox.REGION));
        }
        int total = runs.get(0).tenants();
        for (int i = 0; i < runs.size(); i++) {
            ReconcileResult r = runs.get(i);
            REPORT.add("No-op resync #" + (i + 1) + " (" + r.tenants() + " tenants, >= " + RESYNC_APPS
                    + " apps): writes", String.valueOf(r.writes()), "0", r.writes() == 0 ? "met" : "MISSED");
        }
        long worst = runs.stream().mapToLong(ReconcileResult::millis).max().orElseThrow();
        long best = runs.stream().mapToLong(ReconcileResult::millis).min().orElseThrow();
        // The target is 10 s for 10,000 apps; a smaller run is held to its linear share (1 ms per app).
        REPORT.add("No-op resync of " + RESYNC_APPS + " apps (" + total + " tenants): worst of 3", worst, "ms",
                RESYNC_APPS);
        REPORT.note("no-op resync best / worst of 3: " + best + " / " + worst + " ms; apps have 0 replicas (the"
                + " simulated kubelet still writes every Deployment's status)");
    }

    /**
     * Apps with release 1, default deploy settings and their placement, as the API would create them; 1 in 100 is
     * blue/green.
     */
    static void insertApps(EntityManager em, long tenantId, int n) {
        em.createNativeQuery("insert into app (tenant_id, name, image, port, replicas, cpu_request_millis, "
                + "cpu_limit_millis, memory_request_bytes, memory_limit_bytes, env, secret_env) "
                + "select ?1, 'app-' || lpad(g::text, 5, '0'), 'registry.example.com/bench/app:' || g, 8080, 0, 10, "
                + "50, 16777216, 67108864, jsonb_build_object('APP_INDEX', g::text), '{}'::jsonb "
                + "from generate_series(1, ?2) g").setParameter(1, tenantId).setParameter(2, n).executeUpdate();
        em.createNativeQuery("insert into release (tenant_id, app_id, number, image, config, created_by_kind, "
                + "created_by, status) select tenant_id, id, 1, image, jsonb_build_object('port', port, "
                + "'cpuRequestMillis', cpu_request_millis, 'cpuLimitMillis', cpu_limit_millis, 'memoryRequestBytes', "
                + "memory_request_bytes, 'memoryLimitBytes', memory_limit_bytes, 'healthPath', health_path, 'env', env, "
                + "'secretEnv', secret_env), 'user', 'bench', 'live' from app where tenant_id = ?1")
                .setParameter(1, tenantId).executeUpdate();
        em.createNativeQuery("insert into app_deploy (app_id, live_release, strategy) select id, 1, "
                + "case when id % 100 = 0 then 'blue-green' else 'rolling' end from app where tenant_id = ?1")
                .setParameter(1, tenantId).executeUpdate();
        // Placed in every region of the tenant, the first by name as primary, as the API places a new app.
        em.createNativeQuery("insert into app_placement (app_id, tenant_id, all_regions) select id, tenant_id, true "
                + "from app where tenant_id = ?1").setParameter(1, tenantId).executeUpdate();
        em.createNativeQuery("insert into app_region (app_id, tenant_id, region_id, role) select a.id, a.tenant_id, "
                + "tr.region_id, case when r.name = (select min(r2.name) from region r2 join tenant_region tr2 on "
                + "tr2.region_id = r2.id where tr2.tenant_id = a.tenant_id) then 'primary' else 'replica' end "
                + "from app a join tenant_region tr on tr.tenant_id = a.tenant_id join region r on r.id = tr.region_id "
                + "where a.tenant_id = ?1").setParameter(1, tenantId).executeUpdate();
    }

    @AfterAll
    static void printReport() {
        REPORT.note("sandbox region (CRUD mock API server + simulated kubelet, in-process); rollout engine polls every"
                + " 100 ms (test profile)");
        REPORT.print(Path.of(System.getProperty("berth.bench.release-report", "target/bench/releases.txt")));
    }
}
