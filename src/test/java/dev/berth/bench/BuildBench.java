package dev.berth.bench;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;

import dev.berth.builds.Build;
import dev.berth.builds.BuildState;
import dev.berth.builds.webhooks.WebhookSignatures;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in build benchmark (bench/run --builds-only, {@code -Dberth.bench.builds=true}). For a sample app (a
 * Dockerfile with a few RUN steps on the busybox base image):
 * <ul>
 * <li>Berth's build time (request to pushed image, fresh app each run: clone, buildah bud, push) against plain
 * {@code buildah bud} + {@code buildah push} of the same context with fresh storage;</li>
 * <li>a rebuild of an unchanged commit (request to succeeded);</li>
 * <li>webhook delivery to build start (the build's claim time in PostgreSQL minus the moment before sending).</li>
 * </ul>
 */
@QuarkusTest
@TestProfile(BuildBench.Profile.class)
@Tag("bench")
@EnabledIfSystemProperty(named = "berth.bench.builds", matches = "true")
@TestSecurity(user = "admin", roles = "platform-admin")
class BuildBench {
    static final int RUNS = Integer.getInteger("berth.bench.build-runs", 5);
    /**
     * Runs of each series done first and not counted: the first build in a fresh JVM loads and compiles the clone,
     * build and push code once, which a running Berth has long done; the first plain run warms the same caches.
     */
    static final int WARMUP = Integer.getInteger("berth.bench.build-warmup", 1);

    /** Its own schema, like the other benchmarks. */
    public static class Profile extends BenchProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new LinkedHashMap<>(super.getConfigOverrides());
            m.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/postgres?currentSchema=berth_bench_build");
            m.put("quarkus.flyway.schemas", "berth_bench_build");
            return m;
        }
    }

    static final Map<String, String> SAMPLE = Map.of(
            "Dockerfile", """
                    ARG BASE
                    FROM ${BASE}
                    COPY . /app
                    RUN mkdir -p /data && for i in 1 2 3 4 5 6 7 8; do cat /app/*.txt > /data/part-$i; done
                    RUN echo built > /app/stamp
                    CMD ["cat", "/app/stamp"]
                    """,
            "a.txt", "x".repeat(200_000), "b.txt", "y".repeat(200_000), "README.md", "sample\n");

    @Test
    void buildTimesAgainstPlainBuildah() throws Exception {
        String base = BuildInfra.baseImage();
        List<Long> berth = new ArrayList<>();
        List<Long> plain = new ArrayList<>();
        List<Long> rebuild = new ArrayList<>();
        List<Long> hook = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<long[]> plainPhases = new ArrayList<>();
        List<long[]> berthPhases = new ArrayList<>();
        String tenant = Api.createTenant("bench");
        for (int i = 0; i < WARMUP + RUNS; i++) {
            String app = "s" + i;
            Api.createApp(tenant, Api.app(app));
            String repo = tenant + "-" + app + ".git";
            GitRepos.commit(repo, "sample", SAMPLE);
            long[] pp = plainBuildah(repo, base, tenant + "/plain" + i);
            long p = pp[0] + pp[1] + pp[2];
            json().body(Map.of("repoUrl", BuildInfra.gitUrl(repo), "ref", "main", "buildArgs", Map.of("BASE", base)))
                    .put(Api.app(tenant, app) + "/source").then().statusCode(200);
            long b = timedBuild(tenant, app);
            long r = timedBuild(tenant, app);
            long h = webhookToStart(tenant, app, repo);
            if (i < WARMUP) {
                continue;
            }
            plain.add(p);
            berth.add(b);
            rebuild.add(r);
            hook.add(h);
            ratios.add((double) b / p);
            plainPhases.add(pp);
            berthPhases.add(berthPhases(tenant, app));
        }
        StringBuilder out = new StringBuilder();
        out.append("| Figure | Measured (median of ").append(RUNS).append(") | Target | Ratio |\n|---|---|---|---|\n");
        long b = median(berth);
        long p = median(plain);
        out.append(String.format("| Berth build (request to pushed image) vs plain buildah bud + push | %d ms vs %d ms = %.2fx | <= 1.10x | %.2fx |%n",
                b, p, (double) b / p, ((double) b / p) / 1.10));
        List<Double> sorted = new ArrayList<>(ratios);
        sorted.sort(null);
        double pairRatio = sorted.get(sorted.size() / 2);
        out.append(String.format("| same, median of the per-run ratios (each Berth build against the plain run just before it) | %.2fx | <= 1.10x | %.2fx |%n",
                pairRatio, pairRatio / 1.10));
        out.append(String.format("| Rebuild of an unchanged commit | %d ms | <= 2000 ms | %.2fx |%n", median(rebuild),
                median(rebuild) / 2000.0));
        out.append(String.format("| Webhook delivery to build start | %d ms | <= 500 ms | %.2fx |%n", median(hook),
                median(hook) / 500.0));
        out.append("- ").append(WARMUP).append(" warm-up run(s) of each series not counted; per-run ratios ")
                .append(ratios.stream().map(x -> String.format("%.2f", x)).toList()).append('\n');
        out.append("- phases, median ms (clone / bud / push / the rest): plain ").append(medians(plainPhases))
                .append(", Berth ").append(medians(berthPhases))
                .append(" (Berth, from its build log's line times: claim to `$ buildah bud` / to `$ buildah push` / to "
                        + "`Pushed` / queue wait and recording after the push; the request is the rest of the total)\n");
        out.append("- all runs (ms): Berth ").append(berth).append(", plain ").append(plain).append(", rebuild ")
                .append(rebuild).append(", webhook ").append(hook).append('\n');
        out.append("- load average after: ").append(Files.readString(Path.of("/proc/loadavg")).trim()).append('\n');
        System.out.println(out);
        String report = System.getProperty("berth.bench.report");
        if (report != null) {
            Files.writeString(Path.of(report), out.toString());
        }
    }

    /**
     * From just before the request to the moment Berth recorded the build succeeded ({@code finished_at}, written
     * by the worker with the same clock). The bench learns that it finished by polling every 500 ms, which neither
     * adds its interval to the figure nor takes CPU from the build while it runs.
     */
    private static long timedBuild(String tenant, String app) {
        Instant t0 = Instant.now();
        int n = json().post(Api.app(tenant, app) + "/builds").then().statusCode(201).extract().path("number");
        JsonPath b = waitFinished(tenant, app, n);
        if (!b.getString("state").equals("succeeded")) {
            throw new AssertionError("bench build failed: " + b.getString("failureReason"));
        }
        Instant finished = QuarkusTransaction.requiringNew().call(() -> Build.<Build>find(
                "number = ?1 and appId = (select a.id from App a where a.name = ?2 and a.tenantId = "
                        + "(select t.id from Tenant t where t.slug = ?3))", n, app, tenant).firstResult().finishedAt);
        return Duration.between(t0, finished).toMillis();
    }

    private static long webhookToStart(String tenant, String app, String repo) {
        String sha = GitRepos.commit(repo, "touch", Map.of("README.md", "touched " + UUID.randomUUID() + "\n"));
        String secret = json().get(Api.app(tenant, app) + "/source/webhook").then().extract().path("secret");
        String body = "{\"ref\":\"refs/heads/main\",\"after\":\"" + sha + "\"}";
        Instant t0 = Instant.now();
        int n = given().contentType("application/json").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", "sha256=" + WebhookSignatures.hmacHex(secret, body.getBytes(StandardCharsets.UTF_8)))
                .body(body).post("/hooks/" + tenant + "/" + app + "/github").then().statusCode(202).extract().path("build");
        waitFinished(tenant, app, n);
        Instant started = QuarkusTransaction.requiringNew().call(() -> Build.<Build>find(
                "number = ?1 and appId = (select a.id from App a where a.name = ?2 and a.tenantId = "
                        + "(select t.id from Tenant t where t.slug = ?3))", n, app, tenant).firstResult().startedAt);
        return Duration.between(t0, started).toMillis();
    }

    private static JsonPath waitFinished(String tenant, String app, int n) {
        Instant until = Instant.now().plusSeconds(300);
        while (Instant.now().isBefore(until)) {
            JsonPath b = json().get(Api.app(tenant, app) + "/builds/" + n).then().extract().jsonPath();
            if (BuildState.of(b.getString("state")).finished()) {
                return b;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("build did not finish");
    }

    /** Clone (git), bud and push with fresh storage: what a person would run by hand for the same result. */
    private static long[] plainBuildah(String repo, String base, String image) throws Exception {
        Path dir = Files.createTempDirectory("bench-plain");
        try {
            long t0 = System.nanoTime();
            run(List.of("git", "clone", "-q", "--depth", "1", BuildInfra.gitUrl(repo), dir.resolve("src").toString()));
            long t1 = System.nanoTime();
            List<String> g = List.of("buildah", "--root", dir.resolve("root").toString(), "--runroot",
                    dir.resolve("run").toString(), "--storage-driver", "vfs");
            String ref = BuildInfra.registry() + "/" + image + ":1";
            List<String> bud = new ArrayList<>(g);
            bud.addAll(List.of("bud", "--isolation", "chroot", "--layers", "--tls-verify=false", "--creds",
                    BuildInfra.creds(), "--build-arg",
                    "BASE=" + base, "-t", ref, dir.resolve("src").toString()));
            run(bud);
            long t2 = System.nanoTime();
            List<String> push = new ArrayList<>(g);
            push.addAll(List.of("push", "--tls-verify=false", "--creds", BuildInfra.creds(), ref, "docker://" + ref));
            run(push);
            long t3 = System.nanoTime();
            return new long[] {(t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, 0};
        } finally {
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
        }
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", cmd) + ": " + out);
        }
    }

    /**
     * A Berth build's phases from its log's line times: claim to the bud command (clone, detection, set-up), bud,
     * push, and the rest of queued-to-finished (queue wait, recording after the push).
     */
    private static long[] berthPhases(String tenant, String app) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Object[] r = (Object[]) Build.getEntityManager().createNativeQuery("""
                    select extract(epoch from min(l.at) filter (where l.line like '$ buildah bud%') - b.started_at),
                           extract(epoch from min(l.at) filter (where l.line like '$ buildah push%')
                                   - min(l.at) filter (where l.line like '$ buildah bud%')),
                           extract(epoch from min(l.at) filter (where l.line like 'Pushed %')
                                   - min(l.at) filter (where l.line like '$ buildah push%')),
                           extract(epoch from b.finished_at - b.queued_at)
                    from build b join app a on a.id = b.app_id join tenant t on t.id = a.tenant_id
                    join build_log l on l.build_id = b.id
                    where t.slug = ?1 and a.name = ?2 and b.number = 1
                    group by b.id, b.started_at, b.finished_at, b.queued_at""").setParameter(1, tenant)
                    .setParameter(2, app).getSingleResult();
            long[] ms = new long[4];
            for (int i = 0; i < 4; i++) {
                ms[i] = Math.round(((Number) r[i]).doubleValue() * 1000);
            }
            ms[3] = ms[3] - ms[0] - ms[1] - ms[2];
            return ms;
        });
    }

    private static List<Long> medians(List<long[]> runs) {
        List<Long> m = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            List<Long> column = new ArrayList<>();
            for (long[] run : runs) {
                column.add(run[i]);
            }
            m.add(median(column));
        }
        return m;
    }

    private static long median(List<Long> v) {
        List<Long> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
