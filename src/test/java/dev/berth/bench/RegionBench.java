package dev.berth.bench;

import static dev.berth.testsupport.Api.json;

import dev.berth.reconcile.RegionConnections;
import dev.berth.reconcile.RegionHealthLoop;
import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.MockRegions.MockRegion;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in benchmark of regions (bench/run --regions-only):
 * <ul>
 * <li>a release rolled out to 5 regions (one wave) while one of them hangs every request: time until the 4 healthy
 * regions run the new release with all pods ready, against the same release in one region alone (target: within
 * +10%), median of {@code berth.bench.region-runs} runs;</li>
 * <li>the health loop with 50 regions: wall time and CPU time of probing all of them once.</li>
 * </ul>
 * Regions are independent CRUD API servers with a simulated kubelet, registered through the API.
 */
@QuarkusTest
@TestProfile(BenchProfile.class)
@Tag("bench")
@EnabledIfSystemProperty(named = "berth.bench.regions", matches = "true")
@TestSecurity(user = "admin", roles = "platform-admin")
class RegionBench {
    static final int RUNS = Integer.getInteger("berth.bench.region-runs", 5);
    static final int WARMUP = 2;
    static final int HEALTH_REGIONS = Integer.getInteger("berth.bench.health-regions", 50);
    static final BenchReport REPORT = new BenchReport();
    @Inject
    RegionClients clients;
    @Inject
    RegionHealthLoop health;
    @Inject
    RegionConnections connections;

    @AfterAll
    static void print() {
        String file = System.getProperty("berth.bench.report");
        REPORT.print(file == null ? null : Path.of(file));
    }

    private static String tenant() {
        String slug = Api.uniqueSlug("rb");
        json().body(Map.of("slug", slug, "owners", List.of("admin"), "plan", "business",
                "overrides", Map.of("regions", 100, "pods", 1000))).post("/api/v1/tenants").then().statusCode(201);
        return slug;
    }

    /** Both pods of the app run the image and are ready (the simulated kubelet replaced the old ones). */
    private static boolean ready(MockRegion r, String slug, String image) {
        var pods = r.client().pods().inNamespace("berth-" + slug).withLabel("berth.dev/app", "web").list().getItems();
        return pods.size() == 2 && pods.stream().allMatch(p -> image.equals(p.getSpec().getContainers().get(0).getImage())
                // The kubelet writes a pod's status just after creating it: a pod without one is not ready yet.
                && p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType())
                        && "True".equals(c.getStatus())));
    }

    private static void until(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Milliseconds from the image change to every healthy region running it ready, median of RUNS. */
    private static double rollout(String slug, List<MockRegion> healthy, int tagBase) throws InterruptedException {
        List<Double> times = new ArrayList<>();
        // The first runs of each series are not counted: the JIT would otherwise favour whichever series runs last.
        for (int i = 1; i <= WARMUP + RUNS; i++) {
            String image = "registry.example.com/bench/web:" + (tagBase + i);
            long t0 = System.nanoTime();
            json().body(Map.of("image", image)).patch(Api.app(slug, "web")).then().statusCode(200);
            int run = i;
            until("run " + run, () -> healthy.stream().allMatch(r -> ready(r, slug, image)));
            if (i > WARMUP) {
                times.add((System.nanoTime() - t0) / 1e6);
            }
            Thread.sleep(300);
        }
        times.sort(null);
        return times.get(times.size() / 2);
    }

    @Test
    void rolloutToFiveRegionsWithOneDownAgainstOneRegionAlone() throws Exception {
        try (MockRegions regions = new MockRegions()) {
            String solo = tenant();
            MockRegion alone = regions.register("rb-solo", 0, 0, solo);
            Map<String, Object> app = new LinkedHashMap<>(Api.app("web"));
            app.put("replicas", 2);
            Api.createApp(solo, app);
            json().body(Map.of("primary", "rb-solo", "replicas", List.of(), "allRegions", false))
                    .put(Api.app(solo, "web") + "/placement").then().statusCode(200);
            until("solo first release", () -> ready(alone, solo, "registry.example.com/team/web:1.0"));
            double one = rollout(solo, List.of(alone), 0);

            String five = tenant();
            List<MockRegion> all = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                all.add(regions.register("rb-" + i, 10 * i, 10 * i, five));
            }
            Api.createApp(five, app);
            List<String> names = all.stream().map(MockRegion::name).toList();
            json().body(Map.of("primary", "rb-0", "replicas", names.subList(1, 5), "allRegions", false,
                    "waves", List.of(names))).put(Api.app(five, "web") + "/placement").then().statusCode(200);
            List<MockRegion> healthy = all.subList(0, 4);
            until("first release in 5 regions", () -> all.stream().allMatch(r -> ready(r, five,
                    "registry.example.com/team/web:1.0")));
            // Control: the same 4 regions while the fifth is up, so the cost of running 4 simulated clusters in one
            // process on this machine is told apart from the cost of the hanging region.
            double noneDown = rollout(five, healthy, 100);
            all.get(4).proxy().hang();
            double withOneDown = rollout(five, healthy, 200);
            REPORT.add("Release to 4 healthy of 5 regions (1 hanging), median of " + RUNS, withOneDown, "ms", one * 1.10);
            REPORT.add("Same release to 1 region alone, median of " + RUNS, String.format("%.1f ms", one), "baseline",
                    "-");
            REPORT.add("Same 4 regions while the fifth is up (control), median of " + RUNS,
                    String.format("%.1f ms", noneDown), "(reported)", "-");
            REPORT.add("Effect of the hanging region: 4 healthy with 1 hanging vs the control",
                    String.format("%.2fx", withOneDown / noneDown), "<= 1.10x",
                    String.format("%.2fx", withOneDown / noneDown / 1.10));
            REPORT.note("Regions are CRUD API servers with a simulated kubelet (100 ms ready delay); the hanging "
                    + "region accepts connections and never answers, so its worker waits for the request timeout.");
            all.get(4).proxy().up();
        }
    }

    @Test
    void healthLoopWithFiftyRegions() throws Exception {
        try (MockRegions regions = new MockRegions()) {
            List<MockRegion> started = new ArrayList<>();
            for (int i = 0; i < HEALTH_REGIONS; i++) {
                MockRegion r = regions.start("hb-" + i);
                Region row = new Region();
                row.name = r.name();
                row.displayName = r.name();
                row.baseDomain = r.name() + ".apps.test";
                row.ingressClass = "nginx";
                row.ingressNamespace = "ingress-nginx";
                row.connectionKind = Region.ConnectionKind.URL;
                row.kubeconfigPath = "http://127.0.0.1:" + r.proxy().port();
                row.openToNewTenants = false;
                connections.register(row);
                started.add(r);
            }
            List<RegionCluster> clusters = started.stream().map(r -> clients.get(r.name()).orElseThrow()).toList();
            clusters.forEach(health::probeNow);
            var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            List<Double> wall = new ArrayList<>();
            long cpu0 = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
            for (int round = 0; round < 10; round++) {
                long t0 = System.nanoTime();
                clusters.parallelStream().forEach(health::probeNow);
                wall.add((System.nanoTime() - t0) / 1e6);
            }
            long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime() - cpu0;
            wall.sort(null);
            REPORT.add("Health loop, one round over " + HEALTH_REGIONS + " regions (median of 10)",
                    String.format("%.1f ms", wall.get(5)), "(reported)", "-");
            REPORT.add("Health loop CPU per round (whole process, incl. the 50 API servers)",
                    String.format("%.1f ms", cpu / 1e6 / 10), "(reported)", "-");
            REPORT.note("At the default 10 s interval that is " + String.format("%.2f", cpu / 1e6 / 10 / 10_000 * 100)
                    + "% of one core for " + HEALTH_REGIONS + " regions; thread MXBean supported: "
                    + bean.isThreadCpuTimeSupported());
            for (MockRegion r : started) {
                connections.disconnect(r.name());
            }
        }
    }
}
