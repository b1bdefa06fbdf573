package dev.berth.apps;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AppLifecycleTest {
    @Inject
    Sandbox sandbox;

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void createdAppIsDeployedBecomesReadyAndASecondPassWritesNothing() {
        String slug = Api.uniqueSlug("life");
        json().body(Api.tenant(slug, "alice")).post("/api/v1/tenants").then().log().ifValidationFails().statusCode(201);
        json().body(Map.of("name", "web", "image", "registry.example.com/team/web:1.4", "replicas", 2,
                        "env", Map.of("GREETING", "hi"), "secretEnv", Map.of("DB_PASSWORD", "s3cret")))
                .post("/api/v1/tenants/" + slug + "/apps").then().statusCode(201)
                .body("name", equalTo("web")).body("secretEnv[0]", equalTo("DB_PASSWORD"));

        String ns = "berth-" + slug;
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Deployment d = sandbox.client().apps().deployments().inNamespace(ns).withName("web").get();
            assertThat(d).isNotNull();
            assertThat(d.getStatus()).isNotNull();
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(2);
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                json().get("/api/v1/tenants/" + slug + "/apps/web").then().statusCode(200)
                        .body("status[0].state", equalTo("Running")).body("status[0].ready", equalTo(2)));
        sandbox.settle();
        assertThat(sandbox.resyncWrites()).isZero();
    }
}
