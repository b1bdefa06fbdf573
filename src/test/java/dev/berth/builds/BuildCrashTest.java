package dev.berth.builds;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.apps.App;
import dev.berth.builds.executors.CrashingBuildHost;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.builds.run.Workspace;
import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * A Berth worker killed with SIGKILL in the middle of {@code buildah bud}, in a JVM of its own
 * ({@link CrashingBuildHost}): its buildah and the build's RUN step die with it, and when this instance starts its
 * queue again it reaps the dead worker's workspace and buildah working container, recovers the build and builds it
 * once: one image in the registry, nothing left running, no working container, no workspace.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class BuildCrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @Inject
    BuildQueue queue;
    @Inject
    BuildsConfig config;

    private static List<ProcessHandle> withArgument(String marker) {
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(a -> Arrays.stream(a).anyMatch(x -> x.contains(marker))).orElse(false)).toList();
    }

    private static String log(String tenant, int n) {
        return given().accept("text/plain").get(Api.app(tenant, "web") + "/builds/" + n + "/log").asString();
    }

    private List<String> workingContainers(long appId) throws Exception {
        Path storage = Path.of(config.cacheDir(), "app-" + appId, "buildah");
        Path run = Files.createTempDirectory("crash-test-run");
        try {
            Process p = new ProcessBuilder("buildah", "--root", storage.toString(), "--runroot", run.toString(),
                    "--storage-driver", "vfs", "containers", "-q").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            return out.lines().filter(l -> !l.isBlank()).toList();
        } finally {
            Workspace.deleteTree(run);
        }
    }

    private static List<Path> workspacesOf(long buildId) throws IOException {
        try (Stream<Path> s = Files.list(BuildInfra.workspaceDir())) {
            return s.filter(p -> Workspace.buildId(p) == buildId).toList();
        }
    }

    private static JsonNode registry(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://"
                + BuildInfra.registry() + path)).header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString(BuildInfra.creds().getBytes(StandardCharsets.UTF_8)))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json,"
                        + "application/vnd.docker.distribution.manifest.v2+json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return ((com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(r.body())).put("digest",
                r.headers().firstValue("Docker-Content-Digest").orElse(""));
    }

    @Test
    void aWorkerKilledMidBuildLeavesNothingBehindAndTheBuildCompletesOnce() throws Exception {
        String tenant = Api.createTenant("crash");
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + "-web.git";
        String marker = "crashmark" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        // The step's output ("run-42-...") differs from its command line, which the log shows too.
        String sha = GitRepos.commit(repo, "Slow step", Map.of("Dockerfile", "ARG BASE=" + BuildInfra.baseImage()
                + "\nFROM ${BASE}\nRUN echo \"run-$((6*7))-" + marker + "\" && sleep 10 && echo done > /done\n"));
        BuildEndToEndTest.connect(tenant, "web", repo, Map.of());
        long[] ids = QuarkusTransaction.requiringNew().call(() -> {
            Tenant t = Tenant.findBySlug(tenant);
            return new long[] {t.id, App.findByName(t.id, "web").id};
        });
        long appId = ids[1];

        Process host = null;
        queue.stop(null); // this instance runs no builds until it "starts" again below
        try {
            int n = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
            long buildId = QuarkusTransaction.requiringNew().call(() -> Build.findByNumber(appId, n).id);
            // Claimed by the other instance's worker, as its claim would have left the row.
            QuarkusTransaction.requiringNew().run(() -> Build.update("state = 'building', attempts = 1, "
                    + "worker = 'crash-host', heartbeatAt = ?1, startedAt = ?1, logOpen = true where id = ?2",
                    Instant.now(), buildId));
            String imageRef = BuildInfra.registry() + "/" + tenant + "/web:" + sha.substring(0, 12);
            String jdbc = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
            host = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), CrashingBuildHost.class.getName(), jdbc,
                    Long.toString(buildId), Long.toString(appId), config.workspaceDir(), config.cacheDir(),
                    BuildInfra.registry(), BuildInfra.registryAuthFile().toString(), BuildInfra.gitUrl(repo), imageRef)
                    .redirectErrorStream(true).redirectOutput(BuildInfra.workspaceDir().resolveSibling("crash-host.log")
                            .toFile()).start();
            Process running = host;
            await().atMost(BuildEndToEndTest.BUILD_WAIT).until(() -> {
                assertThat(running.isAlive()).as("crash host ended early: " + Files.readString(
                        BuildInfra.workspaceDir().resolveSibling("crash-host.log"))).isTrue();
                return log(tenant, n).contains("run-42-" + marker);
            });
            assertThat(withArgument(marker)).as("the RUN step runs").isNotEmpty();

            host.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
            assertThat(host.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            // The guard saw Berth's pipe close and killed the build's process group at once: buildah and the RUN
            // step, which had seconds of silent sleep left (so it did not just die of a broken output pipe).
            await().atMost(Duration.ofSeconds(3)).until(() -> withArgument(marker).isEmpty()
                    && withArgument(Path.of(config.cacheDir(), "app-" + appId).toString()).isEmpty());
            assertThat(workspacesOf(buildId)).as("the dead worker's workspace is left").hasSize(1);
            assertThat(workingContainers(appId)).as("and its buildah working container").isNotEmpty();
        } finally {
            if (host != null) {
                host.destroyForcibly();
            }
            queue.start(null); // start-up: reap, recover, work
        }

        int n = 1;
        long buildId = QuarkusTransaction.requiringNew().call(() -> Build.findByNumber(appId, 1).id);
        assertThat(workspacesOf(buildId)).as("reaped at start-up").isEmpty();
        assertThat(workingContainers(appId)).as("reaped at start-up").isEmpty();

        JsonPath done = BuildEndToEndTest.waitForBuild(tenant, "web", n);
        String text = log(tenant, n);
        assertThat(done.getString("state")).as(text).isEqualTo("succeeded");
        assertThat(done.getInt("attempts")).isEqualTo(2);
        assertThat(text).contains("Berth stopped while this build ran (worker crash-host); queued again");
        assertThat(text.split("run-42-" + marker, -1)).as("the RUN step ran twice, the second time to its end")
                .hasSize(3);

        // One image: the repository has one tag, and it is the build's digest.
        JsonNode tags = registry("/v2/" + tenant + "/web/tags/list");
        assertThat(tags.path("tags")).hasSize(1);
        assertThat(registry("/v2/" + tenant + "/web/manifests/" + tags.path("tags").get(0).asText())
                .path("digest").asText()).isEqualTo(done.getString("imageDigest"));
        assertThat(withArgument(marker)).isEmpty();
        assertThat(workingContainers(appId)).isEmpty();
        assertThat(workspacesOf(buildId)).isEmpty();
    }
}
