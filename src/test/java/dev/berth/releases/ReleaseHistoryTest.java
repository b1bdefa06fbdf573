package dev.berth.releases;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import io.quarkus.narayana.jta.QuarkusTransaction;
import dev.berth.testsupport.Problems;
import dev.berth.testsupport.Sandbox;
import dev.berth.testsupport.Users;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class ReleaseHistoryTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    @Inject
    Sandbox sandbox;
    @Inject
    ReleaseService releases;

    static String releases(String tenant, String app) {
        return Api.app(tenant, app) + "/releases";
    }

    private Deployment deployment(String slug, String name) {
        return sandbox.client().apps().deployments().inNamespace("berth-" + slug).withName(name).get();
    }

    @Test
    void everyImageOrConfigChangeIsAReleaseWithItsDiffAndOriginButScalingIsNot() {
        String slug = Api.createTenant("rel", "alice");
        Users.actAs("alice");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "env", Map.of("A", "1"),
                "secretEnv", Map.of("TOKEN", "one")));
        json().body(Map.of("image", "registry.example.com/t/web:2", "env", Map.of("A", "2", "B", "x")))
                .patch(Api.app(slug, "web")).then().statusCode(200);
        json().body(Map.of("replicas", 2)).patch(Api.app(slug, "web")).then().statusCode(200);
        json().body(Map.of("secretEnv", Map.of("TOKEN", "two"))).patch(Api.app(slug, "web")).then().statusCode(200);
        json().body(Map.of("secretEnv", Map.of("TOKEN", "two"))).patch(Api.app(slug, "web")).then().statusCode(200);

        json().get(releases(slug, "web")).then().statusCode(200)
                .body("", hasSize(3))
                .body("[2].number", equalTo(1)).body("[2].createdBy.kind", equalTo("user"))
                .body("[2].createdBy.actor", equalTo("alice"))
                .body("[1].number", equalTo(2))
                .body("[1].configDiff.image", equalTo("registry.example.com/t/web:1 -> registry.example.com/t/web:2"))
                .body("[1].configDiff.'env.A'", equalTo("1 -> 2"))
                .body("[1].configDiff.'env.B'", equalTo("null -> x"))
                .body("[0].number", equalTo(3))
                .body("[0].configDiff.'secretEnv.TOKEN'", equalTo("changed"))
                .body("[0].secretEnv", equalTo(java.util.List.of("TOKEN")))
                .body("[0].config.'env.A'", equalTo("2"));
        String body = json().get(releases(slug, "web")).asString();
        assertThat(body).doesNotContain("one").doesNotContain("\"two\"");
        // The latest release becomes live once its pods are ready, and the list says where it runs.
        await().atMost(WAIT).untilAsserted(() -> json().get(releases(slug, "web") + "/3").then().statusCode(200)
                .body("status", equalTo("live")).body("runningIn[0].region", equalTo(Sandbox.REGION))
                .body("runningIn[0].ready", equalTo(2)));
        json().get(releases(slug, "web") + "/2").then().body("status", equalTo("superseded"));
    }

    @Test
    void ciCreatesAReleaseFromAnImageAndGets200WhenNothingChanges() {
        String slug = Api.createTenant("relci");
        Api.createApp(slug, Api.app("backend"));
        json().body(Map.of("image", "registry.example.com/t/backend@sha256:" + "a".repeat(64), "source", "commit 1234abc"))
                .post(releases(slug, "backend")).then().statusCode(202)
                .body("number", equalTo(2)).body("createdBy.source", equalTo("commit 1234abc"))
                .body("rollbackOf", nullValue());
        json().body(Map.of("image", "registry.example.com/t/backend@sha256:" + "a".repeat(64)))
                .post(releases(slug, "backend")).then().statusCode(200).body("number", equalTo(2));
        Problems.assertProblem(json().body(Map.of("image", "UPPER CASE")).post(releases(slug, "backend")), 400,
                "image");
        json().body(Map.of("image", "x/y:1")).post(releases(slug, "nope")).then().statusCode(404);
    }

    @Test
    void theJavaApiRecordsWhatABuildCreated() {
        String slug = Api.createTenant("relbuild");
        Api.createApp(slug, Api.app("svc"));
        long tenantId = QuarkusTransaction.requiringNew().call(() -> Tenant.findBySlug(slug).id);
        ReleaseService.Outcome o = releases.create(tenantId, slug, "svc", "registry.example.com/t/svc:build-7",
                CreatedBy.build("alice", "build 7"));
        assertThat(o.created()).isTrue();
        assertThat(o.release().createdBy()).isEqualTo(new CreatedBy("build", "alice", "build 7"));
        json().get(releases(slug, "svc") + "/2").then().body("createdBy.kind", equalTo("build"))
                .body("image", equalTo("registry.example.com/t/svc:build-7"));
        json().get(Api.app(slug, "svc")).then().body("image", equalTo("registry.example.com/t/svc:build-7"));
    }

    @Test
    void rollbackMakesANewReleaseFromAnOldSnapshotSecretsIncluded() {
        String slug = Api.createTenant("relrb");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "env", Map.of("V", "1"),
                "secretEnv", Map.of("KEY", "k1")));
        json().body(Map.of("image", "registry.example.com/t/web:2", "env", Map.of("V", "2"),
                "secretEnv", Map.of("KEY", "k2"))).patch(Api.app(slug, "web")).then().statusCode(200);
        json().body(Map.of("image", "registry.example.com/t/web:3")).patch(Api.app(slug, "web")).then().statusCode(200);

        json().post(releases(slug, "web") + "/1/rollback").then().statusCode(202)
                .body("number", equalTo(4)).body("rollbackOf", equalTo(1))
                .body("image", equalTo("registry.example.com/t/web:1"))
                .body("configDiff.'env.V'", equalTo("2 -> 1")).body("configDiff.'secretEnv.KEY'", equalTo("changed"));
        json().post(releases(slug, "web") + "/1/rollback").then().statusCode(200).body("number", equalTo(4));
        json().post(releases(slug, "web") + "/9/rollback").then().statusCode(404);

        await().atMost(WAIT).untilAsserted(() -> {
            Deployment d = deployment(slug, "web");
            var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(c.getImage()).isEqualTo("registry.example.com/t/web:1");
            assertThat(c.getEnv()).extracting(EnvVar::getName).contains("V", "KEY");
            assertThat(c.getEnv().stream().filter(e -> e.getName().equals("V")).findFirst().orElseThrow().getValue())
                    .isEqualTo("1");
            String secret = sandbox.client().secrets().inNamespace("berth-" + slug).withName("web-env").get()
                    .getData().get("KEY");
            assertThat(new String(java.util.Base64.getDecoder().decode(secret))).isEqualTo("k1");
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("berth.dev/release", "4");
        });
        json().get(Api.app(slug, "web")).then().body("image", equalTo("registry.example.com/t/web:1"))
                .body("env.V", equalTo("1"));
    }

    @Test
    void theAppPageShowsReleasesWithARollbackButton() {
        String slug = Api.createTenant("relpage");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        json().body(Map.of("image", "registry.example.com/t/web:2")).patch(Api.app(slug, "web")).then().statusCode(200);
        String page = "/t/" + slug + "/apps/web";
        io.restassured.RestAssured.given().get(page).then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("data-refresh=\"" + page + "/releases\""));
        String panel = io.restassured.RestAssured.given().get(page + "/releases").then().statusCode(200)
                .extract().asString();
        assertThat(panel).contains("Roll back to #1", "image: registry.example.com/t/web:1 -&gt; "
                + "registry.example.com/t/web:2", "Release #2");

        dev.berth.web.PageForms.from(page + "/releases").post().post(page + "/releases/1/rollback").then()
                .statusCode(303);
        json().get(releases(slug, "web")).then().body("[0].number", equalTo(3)).body("[0].rollbackOf", equalTo(1));
    }
}
