package dev.berth.bench;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;

import dev.berth.builds.Build;
import dev.berth.builds.WebhookSignatures;
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
    static final int RUNS = Integer.getInteger("berth.bench.build-runs", 3);

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
        String tenant = Api.createTenant("bench");
        for (int i = 0; i < RUNS; i++) {
            String app = "s" + i;
            Api.createApp(tenant, Api.app(app));
            String repo = tenant + "-" + app + ".git";
            GitRepos.commit(repo, "sample", SAMPLE);
            plain.add(plainBuildah(repo, base, tenant + "/plain" + i));
            json().body(Map.of("repoUrl", BuildInfra.gitUrl(repo), "ref", "main", "buildArgs", Map.of("BASE", base)))
                    .put(Api.app(tenant, app) + "/source").then().statusCode(200);
            berth.add(timedBuild(tenant, app));
            rebuild.add(timedBuild(tenant, app));
            hook.add(webhookToStart(tenant, app, repo));
        }
        StringBuilder out = new StringBuilder();
        out.append("| Figure | Measured (median of ").append(RUNS).append(") | Target | Ratio |\n|---|---|---|---|\n");
        long b = median(berth);
        long p = median(plain);
        out.append(String.format("| Berth build (request to pushed image) vs plain buildah bud + push | %d ms vs %d ms = %.2fx | <= 1.10x | %.2fx |%n",
                b, p, (double) b / p, ((double) b / p) / 1.10));
        out.append(String.format("| Rebuild of an unchanged commit | %d ms | <= 2000 ms | %.2fx |%n", median(rebuild),
                median(rebuild) / 2000.0));
        out.append(String.format("| Webhook delivery to build start | %d ms | <= 500 ms | %.2fx |%n", median(hook),
                median(hook) / 500.0));
        out.append("- all runs (ms): Berth ").append(berth).append(", plain ").append(plain).append(", rebuild ")
                .append(rebuild).append(", webhook ").append(hook).append('\n');
        out.append("- load average after: ").append(Files.readString(Path.of("/proc/loadavg")).trim()).append('\n');
        System.out.println(out);
        String report = System.getProperty("berth.bench.report");
        if (report != null) {
            Files.writeString(Path.of(report), out.toString());
        }
    }

    private static long timedBuild(String tenant, String app) {
        Instant t0 = Instant.now();
        int n = json().post(Api.app(tenant, app) + "/builds").then().statusCode(201).extract().path("number");
        JsonPath b = waitFinished(tenant, app, n);
        if (!b.getString("state").equals("succeeded")) {
            throw new AssertionError("bench build failed: " + b.getString("failureReason"));
        }
        return Duration.between(t0, Instant.now()).toMillis();
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
            if (Build.FINISHED.contains(b.getString("state"))) {
                return b;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("build did not finish");
    }

    /** Clone (git), bud and push with fresh storage: what a person would run by hand for the same result. */
    private static long plainBuildah(String repo, String base, String image) throws Exception {
        Path dir = Files.createTempDirectory("bench-plain");
        try {
            Instant t0 = Instant.now();
            run(List.of("git", "clone", "-q", "--depth", "1", BuildInfra.gitUrl(repo), dir.resolve("src").toString()));
            List<String> g = List.of("buildah", "--root", dir.resolve("root").toString(), "--runroot",
                    dir.resolve("run").toString(), "--storage-driver", "vfs");
            String ref = BuildInfra.registry() + "/" + image + ":1";
            List<String> bud = new ArrayList<>(g);
            bud.addAll(List.of("bud", "--isolation", "chroot", "--layers", "--tls-verify=false", "--creds",
                    BuildInfra.creds(), "--build-arg",
                    "BASE=" + base, "-t", ref, dir.resolve("src").toString()));
            run(bud);
            List<String> push = new ArrayList<>(g);
            push.addAll(List.of("push", "--tls-verify=false", "--creds", BuildInfra.creds(), ref, "docker://" + ref));
            run(push);
            return Duration.between(t0, Instant.now()).toMillis();
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

    private static long median(List<Long> v) {
        List<Long> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
