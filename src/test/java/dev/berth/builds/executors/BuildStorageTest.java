package dev.berth.builds.executors;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.apps.App;
import dev.berth.builds.BuildEndToEndTest;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.builds.run.Workspace;
import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Build storage stays bounded: a cancelled build leaves no buildah working container (nor workspace), and the sweeper
 * removes the least recently used app caches, never one a running build uses, until storage is under its limit,
 * reporting what it measured in metrics and on the admin page.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class BuildStorageTest {
    @Inject
    BuildStorage storage;
    @Inject
    BuildsConfig config;
    @Inject
    MeterRegistry registry;

    /** The buildah working containers in an app's storage. */
    static List<String> workingContainers(Path storage) throws Exception {
        Path run = Files.createTempDirectory("storage-test-run");
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

    @Test
    void aCancelledBuildLeavesNoWorkingContainer() throws Exception {
        String tenant = Api.createTenant("wc");
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + "-slow.git";
        GitRepos.commit(repo, "Slow", Map.of("Dockerfile", "ARG BASE\nFROM ${BASE}\nRUN echo \"sl$((1))eeping\" && sleep 60\n"));
        BuildEndToEndTest.connect(tenant, "web", repo, Map.of("BASE", BuildInfra.baseImage()));
        long appId = QuarkusTransaction.requiringNew().call(() -> App.findByName(Tenant.findBySlug(tenant).id, "web").id);
        int n = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
        await().atMost(BuildEndToEndTest.BUILD_WAIT).until(() -> given().accept("text/plain")
                .get(Api.app(tenant, "web") + "/builds/" + n + "/log").asString().contains("sl1eeping"));
        Path buildah = storage.appCache(appId).resolve("buildah");
        assertThat(workingContainers(buildah)).as("the RUN step's container").isNotEmpty();
        json().post(Api.app(tenant, "web") + "/builds/" + n + "/cancel").then().statusCode(200);
        assertThat(BuildEndToEndTest.waitForBuild(tenant, "web", n).getString("state")).isEqualTo("cancelled");
        assertThat(workingContainers(buildah)).isEmpty();
    }

    private Path fakeCache(long appId, int bytes, Instant lastUsed) throws Exception {
        Path app = storage.appCache(appId);
        Files.createDirectories(app.resolve("buildah"));
        Files.createDirectories(app.resolve("home/.m2"));
        Files.write(app.resolve("buildah/layer"), new byte[bytes / 2]);
        Files.write(app.resolve("home/.m2/dep.jar"), new byte[bytes / 2]);
        Files.setLastModifiedTime(Files.createFile(app.resolve(BuildStorage.LAST_USED)), FileTime.from(lastUsed));
        return app;
    }

    @Test
    void theSweeperRemovesLeastRecentlyUsedCachesNotInUseUntilUnderTheLimit() throws Exception {
        int mb = 1 << 20;
        Instant longAgo = Instant.parse("2001-01-01T00:00:00Z");
        Path inUse = fakeCache(990_001, mb, longAgo);
        Path oldest = fakeCache(990_002, mb, longAgo.plusSeconds(60));
        Path older = fakeCache(990_003, mb, longAgo.plusSeconds(120));
        Path old = fakeCache(990_004, mb, longAgo.plusSeconds(180));
        try (BuildStorage.Lease lease = storage.use(990_001)) {
            Files.setLastModifiedTime(inUse.resolve(BuildStorage.LAST_USED), FileTime.from(longAgo));
            long total = storage.sweep(Long.MAX_VALUE).totalBytes();
            // Two caches must go: the one in use (least recently used) is skipped, then the next two by last use.
            BuildStorage.Usage after = storage.sweep(total - mb - mb / 2);
            assertThat(Files.exists(inUse)).isTrue();
            assertThat(Files.exists(oldest)).isFalse();
            assertThat(Files.exists(older)).isFalse();
            assertThat(Files.exists(old)).isTrue();
            assertThat(after.removedCaches()).isEqualTo(2);
            assertThat(after.totalBytes()).isEqualTo(total - 2L * mb);
            assertThat(registry.get("berth.builds.storage.bytes").tag("kind", "tools").gauge().value())
                    .isEqualTo((double) after.of("tools"));
            assertThat(after.of("tools")).isGreaterThanOrEqualTo(mb);
        } finally {
            Workspace.deleteTree(inUse);
            Workspace.deleteTree(old);
        }
        String page = given().get("/tenants").then().statusCode(200).extract().asString();
        assertThat(page).contains("Build storage", "buildah", "tools", "workspaces");
        assertThat(config.storage().maxSize()).isEqualTo(20L << 30);
    }
}
