package dev.berth.bench;

import static dev.berth.testsupport.Api.json;

import dev.berth.builds.executors.BuildStorage;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in build storage benchmark (bench/run --build-storage-only, {@code -Dberth.bench.build-storage=true}): builds
 * one small Dockerfile app {@code berth.bench.storage-builds} (100) times, each from a new commit, then measures what
 * stays on disk per kind (workspaces, buildah storage, Jib caches, tool homes) as the sweeper reports it.
 */
@QuarkusTest
@TestProfile(BenchProfile.class)
@Tag("bench")
@EnabledIfSystemProperty(named = "berth.bench.build-storage", matches = "true")
@TestSecurity(user = "admin", roles = "platform-admin")
class BuildStorageBench {
    static final int BUILDS = Integer.getInteger("berth.bench.storage-builds", 100);

    @Inject
    BuildStorage storage;

    @Test
    void diskUseAfterManyBuilds() throws Exception {
        String base = BuildInfra.baseImage();
        String tenant = Api.uniqueSlug("disk");
        json().body(Map.of("slug", tenant, "displayName", "Disk", "cpu", "4", "memory", "8Gi", "pods", 20, "apps", 5,
                "overrides", Map.of("buildMinutesPerMonth", 100_000))).post("/api/v1/tenants").then().statusCode(201);
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + "-web.git";
        Instant start = Instant.now();
        for (int i = 1; i <= BUILDS; i++) {
            Map<String, String> files = new HashMap<>(BuildBench.SAMPLE);
            files.put("README.md", "build " + i + "\n");
            GitRepos.commit(repo, "change " + i, files);
            if (i == 1) {
                json().body(Map.of("repoUrl", BuildInfra.gitUrl(repo), "ref", "main", "buildArgs", Map.of("BASE", base)))
                        .put(Api.app(tenant, "web") + "/source").then().statusCode(200);
            }
            int n = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
            JsonPath done = Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .until(() -> json().get(Api.app(tenant, "web") + "/builds/" + n).then().extract().jsonPath(),
                            b -> "succeeded".equals(b.getString("state")) || "failed".equals(b.getString("state")));
            if (!"succeeded".equals(done.getString("state"))) {
                throw new AssertionError("build " + n + " failed: " + done.getString("failureReason"));
            }
        }
        long seconds = Duration.between(start, Instant.now()).toSeconds();
        BuildStorage.Usage u = storage.sweep();
        long workspaces;
        try (Stream<Path> s = Files.list(BuildInfra.workspaceDir())) {
            workspaces = s.count();
        }
        StringBuilder out = new StringBuilder();
        out.append("| Build storage after ").append(BUILDS).append(" builds of one Dockerfile app | Bytes |\n|---|---|\n");
        for (BuildStorage.Row r : u.rows()) {
            out.append("| ").append(r.kind()).append(" | ").append(String.format("%,d (%s)", r.bytes(), r.size()))
                    .append(" |\n");
        }
        out.append(String.format("| total (limit %s) | %,d (%s) |%n", u.max(), u.totalBytes(), u.total()));
        out.append("- ").append(BUILDS).append(" builds in ").append(seconds).append(" s; workspace directories left: ")
                .append(workspaces).append("; load average after: ")
                .append(Files.readString(Path.of("/proc/loadavg")).trim()).append('\n');
        System.out.println(out);
        String report = System.getProperty("berth.bench.report");
        if (report != null) {
            Files.writeString(Path.of(report), out.toString());
        }
    }
}
