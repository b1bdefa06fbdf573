package dev.berth.releases;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Problems;
import dev.berth.testsupport.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class PlanApplyTest {
    @Inject
    Sandbox sandbox;

    private static String plan(String slug, Map<String, Object> body) {
        return json().body(body).post(StrategyTest.releases(slug, "web") + "/plan").then().log().ifValidationFails()
                .statusCode(200).extract().asString();
    }

    @Test
    void applyingAPlanWritesExactlyTheObjectsItListed() {
        String slug = Api.createTenant("plan");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 2));
        StrategyTest.awaitRollout(slug, "web", "succeeded");
        sandbox.settle();

        JsonPath p = JsonPath.from(plan(slug, Map.of("image", "registry.example.com/t/web:2")));
        assertThat(p.getInt("release")).isEqualTo(2);
        assertThat(p.getList("regions.region")).containsExactly(Sandbox.REGION);
        assertThat(p.getList("regions[0].create")).isEmpty();
        assertThat(p.getList("regions[0].delete")).isEmpty();
        assertThat(p.getList("regions[0].change.object")).containsExactly("Deployment/web");
        List<Map<String, Object>> ops = p.getList("regions[0].change[0].operations");
        assertThat(ops).contains(Map.of("op", "replace", "path", "/spec/template/spec/containers/0/image",
                "value", "registry.example.com/t/web:2"));
        // Planning changed nothing.
        json().get(StrategyTest.releases(slug, "web")).then().body("size()", equalTo(1));
        json().get(Api.app(slug, "web")).then().body("image", equalTo("registry.example.com/t/web:1"));

        long before = sandbox.writes(slug);
        json().body(Map.of("image", "registry.example.com/t/web:2", "planFingerprint", p.getString("fingerprint")))
                .post(StrategyTest.releases(slug, "web")).then().statusCode(202).body("number", equalTo(2));
        await().ignoreExceptions().atMost(StrategyTest.WAIT).until(() -> "succeeded".equals(
                StrategyTest.rolloutState(slug, "web")));
        sandbox.settle();
        assertThat(sandbox.writes(slug) - before).as("one write per object the plan listed").isEqualTo(1);
    }

    @Test
    void aPlanMadeStaleByAnotherChangeIsRefused() {
        String slug = Api.createTenant("planst");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        String fingerprint = JsonPath.from(plan(slug, Map.of("image", "registry.example.com/t/web:2")))
                .getString("fingerprint");
        json().body(Map.of("env", Map.of("MODE", "x"))).patch(Api.app(slug, "web")).then().statusCode(200);

        Problems.assertProblem(json().body(Map.of("image", "registry.example.com/t/web:2", "planFingerprint",
                fingerprint)).post(StrategyTest.releases(slug, "web")), 409, "planFingerprint");
        json().get(StrategyTest.releases(slug, "web")).then().body("size()", equalTo(2))
                .body("image", hasItem("registry.example.com/t/web:1"));
        String fresh = JsonPath.from(plan(slug, Map.of("image", "registry.example.com/t/web:2")))
                .getString("fingerprint");
        json().body(Map.of("image", "registry.example.com/t/web:2", "planFingerprint", fresh))
                .post(StrategyTest.releases(slug, "web")).then().statusCode(202);
    }

    @Test
    void aRollbackPlanShowsTheRestoredImage() {
        String slug = Api.createTenant("planrb");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        json().body(Map.of("image", "registry.example.com/t/web:2")).post(StrategyTest.releases(slug, "web")).then()
                .statusCode(202);
        StrategyTest.awaitRollout(slug, "web", "succeeded");
        JsonPath p = JsonPath.from(plan(slug, Map.of("rollbackTo", 1)));
        assertThat(p.getString("image")).isEqualTo("registry.example.com/t/web:1");
        assertThat(p.getList("regions[0].change.object")).containsExactly("Deployment/web");
        json().body(Map.of("planFingerprint", p.getString("fingerprint")))
                .post(StrategyTest.releases(slug, "web") + "/1/rollback").then().statusCode(202)
                .body("rollbackOf", equalTo(1));
    }

    @Test
    void twoDeploysOfABlueGreenAppAtOnceNeverInterleave() throws Exception {
        String slug = Api.createTenant("conc");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        StrategyTest.awaitRollout(slug, "web", "succeeded");
        StrategyTest.settings(slug, "web", Map.of("strategy", "blue-green", "autoPromote", false));
        StrategyTest.awaitRollout(slug, "web", "succeeded");
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 2; i <= 3; i++) {
            String image = "registry.example.com/t/web:" + i;
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return json().body(Map.of("image", image)).post(StrategyTest.releases(slug, "web")).statusCode();
            }));
        }
        go.countDown();
        List<Integer> codes = new ArrayList<>();
        for (CompletableFuture<Integer> c : calls) {
            codes.add(c.get());
        }
        assertThat(codes).containsExactlyInAnyOrder(202, 409);
        json().get(StrategyTest.releases(slug, "web")).then().body("size()", equalTo(2));
        // One rollout is in flight (still starting the idle colour, or already waiting for the promote).
        json().get(StrategyTest.releases(slug, "web") + "/rollout").then()
                .body("state", org.hamcrest.Matchers.oneOf("deploying", "awaiting-promote"));
    }
}
