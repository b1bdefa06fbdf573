package dev.berth.builds;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import dev.berth.testsupport.RegistryClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A build's life around its edges: a Berth that shuts down cleanly queues its running build again at once (not
 * after the heartbeat expires), an unchanged commit is rebuilt when its image is gone from the registry, and a
 * build that fails after building (its push refused) records no image.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class BuildLifecycleTest {
    @Inject
    BuildRunner runner;

    private static JsonPath build(String tenant, int number) {
        return json().get(Api.app(tenant, "web") + "/builds/" + number).then().statusCode(200).extract().jsonPath();
    }

    private static String log(String tenant, int number) {
        return given().accept("text/plain").get(Api.app(tenant, "web") + "/builds/" + number + "/log").asString();
    }

    private static int request(String tenant) {
        return json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
    }

    @Test
    void aCleanShutdownQueuesTheRunningBuildAgainAtOnceAndItCountsAsOneBuild() {
        String tenant = Api.createTenant("shut");
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + "-slow.git";
        GitRepos.commit(repo, "Slow build", Map.of("Dockerfile", "ARG BASE\nFROM ${BASE}\nRUN echo sleeping && sleep 120\n"));
        BuildEndToEndTest.connect(tenant, "web", repo, Map.of("BASE", BuildInfra.baseImage()));
        int n = request(tenant);
        await().atMost(BuildEndToEndTest.BUILD_WAIT).until(() -> log(tenant, n).contains("sleeping"));

        runner.shutdown();
        // Well within berth.builds.stale-after (10 s in tests): the shutdown itself queued it again, and a worker
        // (this instance's, still running in the test) took it up for its second attempt.
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            JsonPath b = build(tenant, n);
            return b.getString("state").equals("queued") || b.getInt("attempts") == 2;
        });
        assertThat(log(tenant, n)).contains("*** Berth is shutting down; this build will run again.");

        await().atMost(BuildEndToEndTest.BUILD_WAIT).until(() -> build(tenant, n).getInt("attempts") == 2
                && BuildState.of(build(tenant, n).getString("state")).running());
        json().post(Api.app(tenant, "web") + "/builds/" + n + "/cancel").then().statusCode(200);
        assertThat(BuildEndToEndTest.waitForBuild(tenant, "web", n).getString("state")).isEqualTo("cancelled");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(json()
                .get("/api/v1/tenants/" + tenant + "/usage").then().statusCode(200).extract().jsonPath()
                .getInt("buildsThisMonth.builds")).as("two attempts, one build").isEqualTo(1));
    }

    @Test
    void anUnchangedCommitIsBuiltAgainWhenItsImageIsGoneFromTheRegistry() throws Exception {
        String tenant = Api.createTenant("gone");
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + "-web.git";
        GitRepos.commit(repo, "First", Map.of("Dockerfile", "FROM scratch\nCOPY index.html /\n", "index.html", "hi\n"));
        BuildEndToEndTest.connect(tenant, "web", repo, Map.of());
        int first = request(tenant);
        JsonPath built = BuildEndToEndTest.waitForBuild(tenant, "web", first);
        assertThat(built.getString("state")).as(log(tenant, first)).isEqualTo("succeeded");
        String digest = built.getString("imageDigest");

        // Still there: reused, no build work.
        int reused = request(tenant);
        assertThat(BuildEndToEndTest.waitForBuild(tenant, "web", reused).getString("imageDigest")).isEqualTo(digest);
        assertThat(log(tenant, reused)).contains("reusing that image").doesNotContain("buildah bud");

        // Deleted from the registry: the same commit is built and pushed again, and the registry serves it.
        HttpResponse<String> deleted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://"
                + BuildInfra.registry() + "/v2/" + tenant + "/web/manifests/" + digest)).DELETE()
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(BuildInfra.creds()
                        .getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
        int rebuilt = request(tenant);
        JsonPath again = BuildEndToEndTest.waitForBuild(tenant, "web", rebuilt);
        assertThat(again.getString("state")).as(log(tenant, rebuilt)).isEqualTo("succeeded");
        assertThat(log(tenant, rebuilt)).contains("the registry no longer has that image; building it again",
                "buildah bud").doesNotContain("reusing that image");
        assertThat(RegistryClient.manifest(tenant + "/web", again.getString("imageDigest")).path("layers").size())
                .isPositive();
    }

    @Test
    void aBuildWhosePushFailsAfterTheImageWasBuiltRecordsNoImage() throws Exception {
        String tenant = Api.createTenant("nopush");
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + "-web.git";
        // FROM scratch: the build itself needs no registry, only the push does.
        GitRepos.commit(repo, "First", Map.of("Dockerfile", "FROM scratch\nCOPY index.html /\n", "index.html", "x\n"));
        BuildEndToEndTest.connect(tenant, "web", repo, Map.of());
        String mounted = Files.readString(BuildInfra.registryAuthFile());
        JsonPath failed;
        try {
            String wrong = Base64.getEncoder().encodeToString((BuildInfra.REGISTRY_USER + ":not-it").getBytes());
            Files.writeString(BuildInfra.registryAuthFile(),
                    "{\"auths\":{\"" + BuildInfra.registry() + "\":{\"auth\":\"" + wrong + "\"}}}");
            int n = request(tenant);
            failed = BuildEndToEndTest.waitForBuild(tenant, "web", n);
            assertThat(log(tenant, n)).contains("$ buildah push");
        } finally {
            Files.writeString(BuildInfra.registryAuthFile(), mounted);
        }
        assertThat(failed.getString("state")).isEqualTo("failed");
        assertThat(failed.getString("failureReason")).contains("buildah push exited");
        assertThat(failed.getString("image")).isNull();
        assertThat(failed.getString("imageDigest")).isNull();
    }
}
