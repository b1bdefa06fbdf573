package dev.berth.apps;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import dev.berth.testsupport.Users;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class AppRolloutTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @Inject
    Sandbox sandbox;

    private Deployment deployment(String slug, String app) {
        return sandbox.client().apps().deployments().inNamespace("berth-" + slug).withName(app).get();
    }

    @Test
    void patchingImageReplicasAndEnvRollsOutTheDeploymentAndIsRecordedInHistory() {
        String slug = Api.createTenant("roll", "alice");
        Users.actAs("alice");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 1,
                "env", Map.of("GREETING", "hi")));
        await().atMost(WAIT).until(() -> deployment(slug, "web") != null);
        var selectorBefore = deployment(slug, "web").getSpec().getSelector();

        json().body(Map.of("image", "registry.example.com/t/web:2", "replicas", 3, "env", Map.of("GREETING", "hello",
                "MODE", "prod"))).patch(Api.app(slug, "web")).then().statusCode(200)
                .body("image", equalTo("registry.example.com/t/web:2")).body("replicas", equalTo(3))
                .body("env.MODE", equalTo("prod"));

        await().atMost(WAIT).untilAsserted(() -> {
            Deployment d = deployment(slug, "web");
            assertThat(d.getSpec().getReplicas()).isEqualTo(3);
            var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(c.getImage()).isEqualTo("registry.example.com/t/web:2");
            assertThat(c.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("GREETING", "hello"),
                            org.assertj.core.groups.Tuple.tuple("MODE", "prod"));
            assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
            assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
            assertThat(d.getSpec().getSelector()).isEqualTo(selectorBefore);
        });
        await().atMost(WAIT).untilAsserted(() -> {
            Deployment d = deployment(slug, "web");
            assertThat(d.getStatus()).as("status written by the (simulated) controller").isNotNull();
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(3);
        });

        List<Map<String, Object>> history = json().get(Api.app(slug, "web") + "/history").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertThat(history).hasSize(2);
        Map<String, Object> update = history.get(0);
        assertThat(update.get("actor")).isEqualTo("alice");
        assertThat(update.get("action")).isEqualTo("app.update");
        @SuppressWarnings("unchecked")
        Map<String, Object> changes = (Map<String, Object>) update.get("changes");
        assertThat(changes).containsEntry("image", "registry.example.com/t/web:1 -> registry.example.com/t/web:2")
                .containsEntry("replicas", "1 -> 3").containsEntry("env.GREETING", "hi -> hello")
                .containsEntry("env.MODE", "null -> prod");
        assertThat(history.get(1).get("action")).isEqualTo("app.create");
    }

    @Test
    void removingAPlainVariableRemovesItFromThePods() {
        String slug = Api.createTenant("envrm");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1",
                "env", Map.of("KEEP", "1", "DROP", "2")));
        await().atMost(WAIT).until(() -> deployment(slug, "web") != null);

        json().body(Map.of("env", Map.of("KEEP", "1"))).patch(Api.app(slug, "web")).then().statusCode(200);

        await().atMost(WAIT).untilAsserted(() -> assertThat(deployment(slug, "web").getSpec().getTemplate().getSpec()
                .getContainers().get(0).getEnv()).extracting(EnvVar::getName).containsExactly("KEEP"));
        json().get(Api.app(slug, "web") + "/history").then().body("[0].changes.'env.DROP'", equalTo("2 -> (removed)"));
    }

    @Test
    void deletingAnAppRemovesItsDeploymentServiceIngressAndSecret() {
        String slug = Api.createTenant("appdel");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1",
                "secretEnv", Map.of("TOKEN", "t0k3n")));
        Api.createApp(slug, Map.of("name", "worker", "image", "registry.example.com/t/worker:1"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(sandbox.managedObjects(slug))
                .contains("Deployment/web", "Service/web", "Ingress/web", "Secret/web-env", "Deployment/worker"));

        json().delete(Api.app(slug, "web")).then().statusCode(204);

        await().atMost(WAIT).untilAsserted(() -> assertThat(sandbox.managedObjects(slug))
                .doesNotContain("Deployment/web", "Service/web", "Ingress/web", "Secret/web-env")
                .contains("Deployment/worker", "Service/worker", "Ingress/worker", "Namespace/berth-" + slug));
        json().get(Api.app(slug, "web")).then().statusCode(404);
        json().get(Api.apps(slug)).then().statusCode(200).body("items.name", equalTo(List.of("worker")));
        json().get("/api/v1/tenants/" + slug + "/audit").then().statusCode(200)
                .body("action", hasItem("app.delete"));
    }
}
