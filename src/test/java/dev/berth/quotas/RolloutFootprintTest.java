package dev.berth.quotas;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.testsupport.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Deployment strategies through the API: a blue/green release needs room for the whole second colour and a canary
 * for its extra replicas, checked before the rollout starts. Without room the release is refused plainly (naming
 * the strategy, the limit, the use and the request) and nothing is started; with room the extra footprint is held
 * while the rollout runs, so other growth cannot take it away.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class RolloutFootprintTest {

    /**
     * A tenant limited to {@code pods} whose app runs {@code replicas} with {@code settings}: the change of strategy
     * runs the new layout's Deployment beside the old one, so the tenant has room for both until it is done.
     */
    private static String tenantWithApp(int pods, int replicas, Map<String, Object> settings) {
        String slug = Api.uniqueSlug("fp");
        json().body(Map.of("slug", slug, "cpu", "8", "memory", "16Gi", "pods", 2 * replicas, "apps", 5, "owners",
                List.of("admin"), "overrides", Map.of("replicasPerApp", 10))).post("/api/v1/tenants").then()
                .statusCode(201);
        Map<String, Object> web = new LinkedHashMap<>(Api.app("web"));
        web.put("replicas", replicas);
        Api.createApp(slug, web);
        awaitRollout(slug, "succeeded");
        json().body(settings).put(Api.app(slug, "web") + "/deploy-settings").then().statusCode(200);
        awaitRollout(slug, "succeeded");
        json().body(Map.of("pods", pods)).put("/api/v1/tenants/" + slug).then().statusCode(200);
        return slug;
    }

    private static void awaitRollout(String slug, String state) {
        await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() -> state.equals(json()
                .get(Api.app(slug, "web") + "/releases/rollout").then().statusCode(200).extract().path("state")));
    }

    private static int releases(String slug) {
        return json().get(Api.app(slug, "web") + "/releases").then().statusCode(200).extract().jsonPath()
                .getList("$").size();
    }

    private static long pods(String slug) {
        return json().get("/api/v1/tenants/" + slug + "/usage").then().statusCode(200).extract().jsonPath()
                .getLong("measures.find { it.name == 'pods' }.used");
    }

    @Test
    void blueGreenNeedsRoomForTheSecondColourAndHoldsItWhileItRuns() {
        String slug = tenantWithApp(5, 3, Map.of("strategy", "blue-green", "autoPromote", false));
        String app = Api.app(slug, "web");
        int before = releases(slug);
        Map<String, Object> release = Map.of("image", "registry.example.com/team/web:2.0");

        assertProblem(json().body(release).post(app + "/releases"), 422, "strategy")
                .body("limit", equalTo("pods")).body("max", equalTo("5")).body("used", equalTo("3"))
                .body("requested", equalTo("3 more pod(s) for the blue-green rollout"))
                .body("detail", containsString("quota exceeded: tenant limit pods is 5"));
        assertThat(releases(slug)).as("a refused release leaves nothing behind").isEqualTo(before);
        assertThat(pods(slug)).isEqualTo(3);

        json().body(Map.of("pods", 6)).put("/api/v1/tenants/" + slug).then().statusCode(200);
        json().body(release).post(app + "/releases").then().statusCode(202);
        // Both colours count until the rollout ends: the room is taken, so scaling up is refused.
        assertThat(pods(slug)).isEqualTo(6);
        assertProblem(json().body(Map.of("replicas", 4)).patch(app), 422, "replicas").body("limit", equalTo("pods"))
                .body("used", equalTo("6"));
    }

    @Test
    void aCanaryNeedsRoomForItsExtraReplicas() {
        // 4 replicas at 25 %: one canary replica beside them.
        String slug = tenantWithApp(4, 4, Map.of("strategy", "canary", "canaryWeight", 25, "autoPromote", false));
        String app = Api.app(slug, "web");
        Map<String, Object> release = Map.of("image", "registry.example.com/team/web:2.0");

        assertProblem(json().body(release).post(app + "/releases"), 422, "strategy")
                .body("limit", equalTo("pods")).body("used", equalTo("4"))
                .body("requested", equalTo("1 more pod(s) for the canary rollout"));
        json().body(Map.of("pods", 5)).put("/api/v1/tenants/" + slug).then().statusCode(200);
        json().body(release).post(app + "/releases").then().statusCode(202);
        assertThat(pods(slug)).isEqualTo(5);
        json().get("/api/v1/tenants/" + slug + "/usage").then().body("measures.find { it.name == 'pods' }.state",
                equalTo("near"));
    }
}
