package dev.berth.bench;

import static dev.berth.testsupport.Api.json;
import static dev.berth.bench.ReleaseBench.await;
import static dev.berth.bench.ReleaseBench.pct;
import static dev.berth.bench.ReleaseBench.releases;
import static dev.berth.bench.ReleaseBench.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.it.ControlPlane;
import dev.berth.it.RealCluster;
import dev.berth.kube.Labels;
import dev.berth.reconcile.ReconcileResult;
import dev.berth.reconcile.RegionWorkers;
import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in benchmark on the real control plane ({@code bench/run --kube-only}, {@code -Dberth.bench.kube=true}), each
 * figure next to an anchor measured in the same run against the same apiserver:
 * <ul>
 * <li>blue/green switch: from the promote request to a watch seeing the Service's new selector, against a raw PATCH
 * of the same Service by a warm client until the same watch sees it (goal: at most 2x); writes per switch from the
 * audit log (goal: exactly 1);</li>
 * <li>no-op resync of {@code berth.bench.resync-apps} apps (10,000; inserted with SQL into 10 tenants and created in
 * the cluster by Berth first) against one raw LIST of those apps' Deployments, Services and Ingresses (goal: at
 * most 1 s and 0 writes).</li>
 * </ul>
 */
@QuarkusTest
@TestProfile(RealClusterBench.Profile.class)
@Tag("bench")
@EnabledIfSystemProperty(named = "berth.bench.kube", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class RealClusterBench {
    static final int SWITCHES = Integer.getInteger("berth.bench.switches", 30);
    static final int RESYNC_APPS = Integer.getInteger("berth.bench.resync-apps", 10_000);
    static final int RESYNC_TENANTS = 10;
    static final BenchReport REPORT = new BenchReport();

    /** The integration tests' real cluster, with the benchmark's own schema. */
    public static class Profile extends RealCluster {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new HashMap<>(new BenchProfile().getConfigOverrides());
            m.remove("berth.regions.sandbox.ready-delay");
            m.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/postgres?currentSchema=berth_bench_kube");
            m.put("quarkus.flyway.schemas", "berth_bench_kube");
            return m;
        }
    }

    @Inject
    RegionWorkers workers;
    @Inject
    EntityManager em;
    @TestHTTPResource("/")
    URL base;
    private final ControlPlane cp = ControlPlane.get();
    private final KubernetesClient kube = cp.admin();

    @Test
    @Order(1)
    void blueGreenSwitchAgainstARawPatch() throws Exception {
        String slug = Api.createTenant("bench-bg");
        String ns = "berth-" + slug;
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/bench/web:0", "replicas", 1));
        await("first release", () -> "succeeded".equals(state(slug)));
        json().body(Map.of("strategy", "blue-green", "autoPromote", false, "holdSeconds", 3600))
                .put(Api.app(slug, "web") + "/deploy-settings").then().statusCode(200);
        await("the change to blue/green", () -> "succeeded".equals(state(slug)));
        AtomicReference<Predicate<Service>> wanted = new AtomicReference<>(s -> false);
        AtomicReference<CountDownLatch> seen = new AtomicReference<>(new CountDownLatch(1));
        AtomicReference<Long> seenAt = new AtomicReference<>(0L);
        AtomicReference<String> colour = new AtomicReference<>();
        try (Watch w = kube.services().inNamespace(ns).withName("web").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Service s) {
                long now = System.nanoTime();
                colour.set(s.getSpec().getSelector().get(Labels.COLOR));
                if (wanted.get().test(s)) {
                    seenAt.set(now);
                    seen.get().countDown();
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<Double> switches = new ArrayList<>();
            List<Double> patches = new ArrayList<>();
            List<Integer> writes = new ArrayList<>();
            for (int i = 1; i <= SWITCHES + 3; i++) {
                json().body(Map.of("image", "registry.example.com/bench/web:" + i)).post(releases(slug)).then()
                        .statusCode(202);
                await("release " + i + " ready", () -> "awaiting-promote".equals(state(slug)));
                workers.awaitIdle(RealCluster.REGION);

                String value = "v" + i;
                wanted.set(s -> s.getMetadata().getAnnotations() != null
                        && value.equals(s.getMetadata().getAnnotations().get("bench.berth.dev/anchor")));
                seen.set(new CountDownLatch(1));
                long p0 = System.nanoTime();
                kube.services().inNamespace(ns).withName("web").patch(PatchContext.of(PatchType.JSON_MERGE),
                        "{\"metadata\":{\"annotations\":{\"bench.berth.dev/anchor\":\"" + value + "\"}}}");
                assertThat(seen.get().await(30, TimeUnit.SECONDS)).as("anchor patch seen").isTrue();
                double patch = (seenAt.get() - p0) / 1e6;

                String target = "blue".equals(colour.get()) ? "green" : "blue";
                wanted.set(s -> target.equals(s.getSpec().getSelector().get(Labels.COLOR)));
                seen.set(new CountDownLatch(1));
                Instant before = Instant.now();
                long t0 = System.nanoTime();
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base.toURI().resolve(releases(slug) + "/promote"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
                assertThat(r.statusCode()).isEqualTo(202);
                assertThat(seen.get().await(30, TimeUnit.SECONDS)).as("selector changed").isTrue();
                double sw = (seenAt.get() - t0) / 1e6;
                workers.awaitIdle(RealCluster.REGION);
                await("holding " + i, () -> "holding".equals(state(slug)));
                workers.awaitIdle(RealCluster.REGION);
                writes.add(cp.writes(before, ns).size());
                if (i > 3) {
                    switches.add(sw);
                    patches.add(patch);
                }
            }
            Collections.sort(switches);
            Collections.sort(patches);
            double s50 = pct(switches, 50);
            double s99 = pct(switches, 99);
            double p50 = pct(patches, 50);
            double p99 = pct(patches, 99);
            REPORT.add("Blue/green switch (promote -> watch sees selector), real apiserver: p50 / p99",
                    BenchReport.fmt(s50) + " / " + BenchReport.fmt(s99) + " ms", "-", "-");
            REPORT.add("Anchor: raw PATCH of the same Service by a warm client -> same watch: p50 / p99",
                    BenchReport.fmt(p50) + " / " + BenchReport.fmt(p99) + " ms", "-", "-");
            REPORT.add("Switch / raw PATCH, p50 and p99", BenchReport.fmt(s50 / p50) + "x / " + BenchReport.fmt(s99 / p99)
                    + "x", "<= 2x", s99 / p99 <= 2 ? "met" : "MISSED");
            long exact = writes.stream().filter(n -> n == 1).count();
            REPORT.add("Writes per switch in the audit log (" + writes.size() + " switches)",
                    "min " + Collections.min(writes) + ", max " + Collections.max(writes), "exactly 1",
                    exact == writes.size() ? "met" : "MISSED (" + (writes.size() - exact) + " not 1)");
            REPORT.note("switches (ms, sorted): " + switches.stream().map(BenchReport::fmt).toList());
            REPORT.note("raw patches (ms, sorted): " + patches.stream().map(BenchReport::fmt).toList());
        }
    }

    @Test
    @Order(2)
    void noOpResyncOfManyAppsAgainstARawList() throws Exception {
        int perTenant = RESYNC_APPS / RESYNC_TENANTS;
        List<String> slugs = new ArrayList<>();
        for (int t = 0; t < RESYNC_TENANTS; t++) {
            String slug = Api.createTenant("bench-rs");
            slugs.add(slug);
            QuarkusTransaction.requiringNew().run(() -> ReleaseBench.insertApps(em, Tenant.findBySlug(slug).id, perTenant));
        }
        long t0 = System.nanoTime();
        ReconcileResult first = workers.resyncNow(RealCluster.REGION);
        REPORT.note("set-up: the first resync after the SQL insert wrote " + first.writes() + " objects in "
                + BenchReport.fmt((System.nanoTime() - t0) / 1e9) + " s");
        for (int i = 0; i < 30; i++) {
            workers.awaitIdle(RealCluster.REGION);
            if (workers.resyncNow(RealCluster.REGION).writes() == 0) {
                break;
            }
            Thread.sleep(2000);
        }
        List<Long> resyncs = new ArrayList<>();
        List<Double> lists = new ArrayList<>();
        int writes = 0;
        int objects = 0;
        for (int i = 0; i < 5; i++) {
            long l0 = System.nanoTime();
            objects = kube.apps().deployments().inAnyNamespace().withLabel(Labels.MANAGED_BY, Labels.MANAGER).list()
                    .getItems().size()
                    + kube.services().inAnyNamespace().withLabel(Labels.MANAGED_BY, Labels.MANAGER).list().getItems().size()
                    + kube.network().v1().ingresses().inAnyNamespace().withLabel(Labels.MANAGED_BY, Labels.MANAGER).list()
                            .getItems().size();
            lists.add((System.nanoTime() - l0) / 1e6);
            Instant before = Instant.now();
            ReconcileResult r = workers.resyncNow(RealCluster.REGION);
            resyncs.add(r.millis());
            writes += r.writes() + cp.writes(before, w -> true).size();
        }
        Collections.sort(resyncs);
        Collections.sort(lists);
        double resync = resyncs.get(resyncs.size() / 2);
        double list = lists.get(lists.size() / 2);
        REPORT.add("No-op resync of " + RESYNC_APPS + " apps on the real apiserver, median of 5", resync, "ms", 1000);
        REPORT.add("Anchor: one raw LIST of their Deployments, Services, Ingresses (" + objects + " objects), median",
                BenchReport.fmt(list) + " ms", "-", "-");
        REPORT.add("Resync / raw LIST", BenchReport.fmt(resync / list) + "x", "-", "-");
        REPORT.add("Writes of 5 no-op resyncs (counted and in the audit log)", String.valueOf(writes), "0",
                writes == 0 ? "met" : "MISSED");
        REPORT.note("resyncs (ms, sorted): " + resyncs + "; lists (ms, sorted): " + lists.stream().map(BenchReport::fmt).toList());
    }

    @AfterAll
    static void printReport() {
        REPORT.note("real kube-apiserver + controller-manager v1.20.2 on loopback (src/test/kube/control-plane.sh),"
                + " Berth bound by deploy/rbac.yaml; load average at the end: " + loadAverage());
        REPORT.print(Path.of(System.getProperty("berth.bench.report", "target/bench/kube.txt")));
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
