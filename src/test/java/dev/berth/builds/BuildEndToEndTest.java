package dev.berth.builds;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.quotas.QuotaService;
import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import dev.berth.testsupport.RegistryClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The whole build path with real parts: a commit served by git daemon, cloned with JGit, built with buildah
 * (multi-stage, build args, .dockerignore), pushed to a real registry and read back by digest, then deployed.
 */
@QuarkusTest
@QuarkusTestResource(value = BuildInfra.class, restrictToAnnotatedClass = false)
@TestSecurity(user = "admin", roles = "platform-admin")
public class BuildEndToEndTest {
    public static final Duration BUILD_WAIT = Duration.ofSeconds(90);
    @Inject
    QuotaService quotas;

    public static String dockerfile() {
        return """
                ARG BASE
                FROM ${BASE} AS build
                ARG GREETING=hello
                COPY . /src
                RUN echo "$GREETING from the build stage" > /greeting && ls /src > /listing
                FROM ${BASE}
                COPY --from=build /greeting /listing /
                CMD ["cat", "/greeting"]
                """;
    }

    public static JsonPath waitForBuild(String tenant, String app, int number) {
        return await().atMost(BUILD_WAIT).pollInterval(Duration.ofMillis(200)).until(
                () -> json().get(Api.app(tenant, app) + "/builds/" + number).then().statusCode(200).extract().jsonPath(),
                b -> BuildState.of(b.getString("state")).finished());
    }

    public static void connect(String tenant, String app, String repo, Map<String, String> buildArgs) {
        json().body(Map.of("repoUrl", BuildInfra.gitUrl(repo), "ref", "main", "buildArgs", buildArgs))
                .put(Api.app(tenant, app) + "/source").then().log().ifValidationFails().statusCode(200);
    }

    @Test
    void aCommitIsBuiltPushedByDigestAndDeployedAndAFailingRunLeavesTheImageServing() {
        String base = BuildInfra.baseImage();
        String tenant = Api.createTenant("bld");
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + "-web.git";
        String sha = GitRepos.commit(repo, "First version", Map.of("Dockerfile", dockerfile(),
                ".dockerignore", "secret.txt\n", "index.html", "<h1>hi</h1>\n", "secret.txt", "do-not-ship\n"));
        connect(tenant, "web", repo, Map.of("BASE", base, "GREETING", "hi-from-args"));

        int number = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
        JsonPath build = waitForBuild(tenant, "web", number);
        String log = given().accept("text/plain").get(Api.app(tenant, "web") + "/builds/" + number + "/log").asString();
        assertThat(build.getString("state")).as(log).isEqualTo("succeeded");
        assertThat(build.getString("commit.sha")).isEqualTo(sha);
        assertThat(build.getString("commit.message")).isEqualTo("First version");
        assertThat(build.getString("commit.author")).contains("Ada Lovelace");
        assertThat(build.getString("strategy")).isEqualTo("dockerfile");
        assertThat(build.getLong("durationSeconds")).isNotNull();
        String digest = build.getString("imageDigest");
        assertThat(build.getString("image")).isEqualTo(BuildInfra.registry() + "/" + tenant + "/web@" + digest);

        // The registry serves exactly this digest; the image holds what the Dockerfile made of the commit.
        JsonNode manifest = RegistryClient.manifest(tenant + "/web", digest);
        Map<String, String> files = RegistryClient.files(tenant + "/web", manifest);
        assertThat(files.get("greeting")).isEqualTo("hi-from-args from the build stage\n");
        assertThat(files.get("listing")).contains("Dockerfile", "index.html").doesNotContain("secret.txt");
        assertThat(files).doesNotContainKey("src/index.html"); // only the final stage ships
        assertThat(log).contains("Checked out " + sha, "buildah bud", "Pushed ");

        // The successful build deployed the image by digest through the app's normal change path.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                json().get(Api.app(tenant, "web")).then().extract().<String>path("image")).isEqualTo(build.getString("image")));
        JsonPath releases = json().get(Api.app(tenant, "web") + "/releases").then().statusCode(200).extract().jsonPath();
        assertThat(releases.getString("[0].image")).isEqualTo(build.getString("image"));
        assertThat(releases.getString("[0].createdBy.kind")).isEqualTo("build");
        assertThat(releases.getString("[0].createdBy.source")).isEqualTo("build #" + number);

        // A failing RUN step: its output reaches the log, the build fails cleanly, the deployed image stays.
        GitRepos.commit(repo, "Break the build", Map.of("Dockerfile",
                "ARG BASE\nFROM ${BASE}\nRUN echo boom-marker-42 && exit 3\n"));
        int broken = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
        JsonPath failed = waitForBuild(tenant, "web", broken);
        assertThat(failed.getString("state")).isEqualTo("failed");
        assertThat(failed.getString("failureReason")).contains("buildah bud exited with");
        assertThat(given().accept("text/plain").get(Api.app(tenant, "web") + "/builds/" + broken + "/log").asString())
                .contains("boom-marker-42");
        assertThat(json().get(Api.app(tenant, "web")).then().extract().<String>path("image"))
                .isEqualTo(build.getString("image"));

        // Building the first commit again reuses its image: same digest, no new build work.
        int again = json().body(Map.of("commitSha", sha)).post(Api.app(tenant, "web") + "/builds").then().statusCode(201)
                .extract().path("number");
        JsonPath rebuilt = waitForBuild(tenant, "web", again);
        assertThat(rebuilt.getString("state")).as(rebuilt.getString("failureReason")).isEqualTo("succeeded");
        assertThat(rebuilt.getString("imageDigest")).isEqualTo(digest);

        // Every workspace is gone, whatever the outcome.
        java.util.List<Long> ids = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> Build
                .<Build>find("tenantId = ?1", Tenant.findBySlug(tenant).id).stream().map(b -> b.id).toList());
        assertThat(ids).hasSize(3);
        try (Stream<java.nio.file.Path> left = Files.list(BuildInfra.workspaceDir())) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> ids.stream().anyMatch(id -> n.startsWith("build-" + id + "-")));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void cancellingARunningBuildStopsBuildahAndRemovesTheWorkspace() {
        String base = BuildInfra.baseImage();
        String tenant = Api.createTenant("cnl");
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + "-slow.git";
        GitRepos.commit(repo, "Slow build", Map.of("Dockerfile", "ARG BASE\nFROM ${BASE}\nRUN echo sleeping && sleep 120\n"));
        connect(tenant, "web", repo, Map.of("BASE", base));
        int number = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
        await().atMost(BUILD_WAIT).until(() -> given().accept("text/plain")
                .get(Api.app(tenant, "web") + "/builds/" + number + "/log").asString().contains("sleeping"));
        json().post(Api.app(tenant, "web") + "/builds/" + number + "/cancel").then().statusCode(200);
        JsonPath done = await().atMost(Duration.ofSeconds(20)).until(
                () -> json().get(Api.app(tenant, "web") + "/builds/" + number).then().extract().jsonPath(),
                b -> BuildState.of(b.getString("state")).finished());
        assertThat(done.getString("state")).isEqualTo("cancelled");
        assertThat(done.getString("failureReason")).isEqualTo("cancelled");
        // The cancelled build's time counts: its build minutes are metered like any other build's.
        long tenantId = QuarkusTransaction.requiringNew().call(() -> Tenant.findBySlug(tenant).id);
        long ranSeconds = Duration.between(Instant.parse(done.getString("startedAt")),
                Instant.parse(done.getString("finishedAt"))).toSeconds();
        await().atMost(Duration.ofSeconds(10)).until(() -> quotas.buildTimeThisMonth(tenantId).toSeconds() >= ranSeconds
                && quotas.buildTimeThisMonth(tenantId).toSeconds() >= 1);
        assertThat(json().get("/api/v1/tenants/" + tenant + "/usage").then().statusCode(200).extract().jsonPath()
                .getLong("measures.find { it.name == 'buildMinutesPerMonth' }.used")).isGreaterThanOrEqualTo(1);
        long buildId = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> Build.<Build>find(
                "tenantId = ?1", Tenant.findBySlug(tenant).id).firstResult().id);
        try (Stream<java.nio.file.Path> left = Files.list(BuildInfra.workspaceDir())) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("build-" + buildId + "-"));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
