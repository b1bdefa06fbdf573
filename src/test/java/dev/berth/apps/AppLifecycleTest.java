package dev.berth.apps;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.Sandbox;
import io.restassured.path.json.JsonPath;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
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
        assertThat(sandbox.resyncWrites(slug)).isZero();
    }

    /** Creates the app and waits until the sandbox's kubelet has written its pod; returns the app's status. */
    private static JsonPath deployAndSettle(String slug, String image, String state) {
        json().body(Api.tenant(slug, "alice")).post("/api/v1/tenants").then().statusCode(201);
        json().body(Map.of("name", "web", "image", image)).post("/api/v1/tenants/" + slug + "/apps").then().statusCode(201);
        return await().atMost(Duration.ofSeconds(15)).until(
                () -> json().get("/api/v1/tenants/" + slug + "/apps/web").then().statusCode(200).extract().jsonPath(),
                a -> state.equals(a.getString("status[0].state")) && !a.getList("status[0].pods").isEmpty());
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void anImageFromBerthsRegistryWithoutUserCannotStartUnderRunAsNonRootAsOnACluster() {
        String slug = Api.uniqueSlug("root");
        // Refused by the kubelet and nothing else serves: Failed, with the kubelet's reason (ADR 0018).
        JsonPath app = deployAndSettle(slug, BuildInfra.baseImage(), "Failed");
        assertThat(app.getString("status[0].reason")).isEqualTo("CreateContainerConfigError");
        assertThat(app.getString("status[0].message")).contains("runAsNonRoot");
        assertThat(app.getString("status[0].pods[0].phase")).isEqualTo("Pending");
        assertThat(app.getInt("status[0].ready")).isZero();
        List<String> conditions = app.getList("status[0].conditions");
        assertThat(conditions).anyMatch(c -> c.contains(": CreateContainerConfigError: container has runAsNonRoot and "
                + "image will run as root (pod: \"web-") && c.endsWith(", container: app)"));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(json()
                .get("/api/v1/tenants/" + slug + "/apps/web").then().statusCode(200).extract().jsonPath()
                .getList("status[0].events.findAll { it.reason == 'Failed' }.message", String.class))
                .anyMatch(m -> m.startsWith("Error: container has runAsNonRoot and image will run as root")));
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void anImageMissingFromBerthsRegistryBacksOffPulling() {
        BuildInfra.baseImage();
        String image = BuildInfra.registry() + "/base/busybox:not-pushed";
        String slug = Api.uniqueSlug("pull");
        JsonPath app = deployAndSettle(slug, image, "Failed");
        assertThat(app.getString("status[0].reason")).isIn("ImagePullBackOff", "ErrImagePull");
        List<String> conditions = app.getList("status[0].conditions");
        assertThat(conditions).anyMatch(c -> c.contains(": ImagePullBackOff: Back-off pulling image \"" + image + "\"")
                && c.endsWith("not found"));
        // The kubelet's events come through the events watch, a moment after the pod's status that settled above.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(json()
                .get("/api/v1/tenants/" + slug + "/apps/web").then().statusCode(200).extract().jsonPath()
                .getList("status[0].events.reason", String.class)).contains("BackOff", "Failed"));
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void aNumericNonRootImageFromBerthsRegistryRuns() {
        String image = BuildInfra.configOnlyImage("lifecycle/nonroot:1", "65532:65532", 8080);
        JsonPath app = deployAndSettle(Api.uniqueSlug("nonroot"), image, "Running");
        assertThat(app.getInt("status[0].ready")).isEqualTo(1);
        assertThat(app.getList("status[0].conditions", String.class)).noneMatch(c -> c.contains("Error"));
    }
}
