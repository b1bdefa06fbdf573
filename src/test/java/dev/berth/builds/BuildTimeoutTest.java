package dev.berth.builds;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.quotas.Plan;
import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The build timeout of a tenant's plan (or its own override) stops a real buildah build, and the reason names the
 * limit. The API takes whole minutes; to keep the test short, the stored limit (seconds) is lowered to a few seconds
 * directly in the database after the API set it.
 */
@QuarkusTest
@QuarkusTestResource(value = BuildInfra.class, restrictToAnnotatedClass = false)
@TestSecurity(user = "admin", roles = "platform-admin")
class BuildTimeoutTest {
    static Map<String, Object> plan(String name, Integer buildTimeoutMinutes) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", name);
        p.put("cpuRequest", "4");
        p.put("cpuLimit", "8");
        p.put("memoryRequest", "8Gi");
        p.put("memoryLimit", "16Gi");
        p.put("pods", 40);
        p.put("apps", 10);
        p.put("replicasPerApp", 5);
        p.put("concurrentBuilds", 2);
        p.put("buildMinutesPerMonth", 1000);
        p.put("regions", 2);
        p.put("customDomains", 1);
        if (buildTimeoutMinutes != null) {
            p.put("buildTimeoutMinutes", buildTimeoutMinutes);
        }
        return p;
    }

    @Test
    void buildTimeoutsAreWholeMinutesFromOneToADay() {
        for (int bad : new int[] {0, -5, 1441}) {
            assertProblem(json().body(plan(Api.uniqueSlug("bt"), bad)).post("/api/v1/plans"), 400, "buildTimeoutMinutes");
        }
        String name = Api.uniqueSlug("bt");
        json().body(plan(name, null)).post("/api/v1/plans").then().statusCode(201);
        assertThat(json().get("/api/v1/plans/" + name).then().extract().<Integer>path("buildTimeoutMinutes")).isEqualTo(30);
        assertProblem(json().body(Map.of("buildTimeoutMinutes", 1441)).put("/api/v1/plans/" + name), 400,
                "buildTimeoutMinutes");
        assertThat(json().body(Map.of("buildTimeoutMinutes", 1440)).put("/api/v1/plans/" + name).then().statusCode(200)
                .extract().<Integer>path("buildTimeoutMinutes")).isEqualTo(1440);
        assertThat(json().get("/api/v1/plans/free").then().extract().<Integer>path("buildTimeoutMinutes")).isEqualTo(10);

        String slug = Api.uniqueSlug("bto");
        assertThat(json().body(Map.of("slug", slug, "plan", name)).post("/api/v1/tenants").then().statusCode(201)
                .extract().<Integer>path("limits.buildTimeoutMinutes")).isEqualTo(1440);
        assertProblem(json().body(Map.of("overrides", Map.of("buildTimeoutMinutes", 0))).put("/api/v1/tenants/" + slug),
                400, "overrides.buildTimeoutMinutes");
        JsonPath t = json().body(Map.of("overrides", Map.of("buildTimeoutMinutes", 5))).put("/api/v1/tenants/" + slug)
                .then().statusCode(200).extract().jsonPath();
        assertThat(t.getInt("limits.buildTimeoutMinutes")).isEqualTo(5);
        assertThat(t.getInt("overrides.buildTimeoutMinutes")).isEqualTo(5);
        // The admin limits form on the settings page shows and sets it as well.
        assertThat(given().get("/t/" + slug + "/settings").asString())
                .contains("name=\"overrides.buildTimeoutMinutes\" type=\"number\" value=\"5\"");
    }

    @Test
    void thePlansBuildTimeoutStopsABuildAndTheTenantsOverrideReplacesIt() {
        String base = BuildInfra.baseImage();
        String planName = Api.uniqueSlug("tiny");
        json().body(plan(planName, 1)).post("/api/v1/plans").then().statusCode(201);
        String tenant = Api.uniqueSlug("tmo");
        json().body(Map.of("slug", tenant, "plan", planName)).post("/api/v1/tenants").then().statusCode(201);
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + "-slow.git";
        GitRepos.commit(repo, "Slow build", Map.of("Dockerfile", "ARG BASE\nFROM ${BASE}\nRUN echo sleeping && sleep 120\n"));
        BuildEndToEndTest.connect(tenant, "web", repo, Map.of("BASE", base));
        // One minute through the API; a few seconds in the database so the test does not wait a minute.
        QuarkusTransaction.requiringNew().run(() -> Plan.update("buildTimeoutSeconds = 5 where name = ?1", planName));

        int first = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
        JsonPath stopped = BuildEndToEndTest.waitForBuild(tenant, "web", first);
        assertThat(stopped.getString("state")).isEqualTo("failed");
        assertThat(stopped.getString("failureReason")).isEqualTo("timed out after 5 s (plan '" + planName
                + "' build timeout)");
        assertThat(Duration.between(Instant.parse(stopped.getString("startedAt")),
                Instant.parse(stopped.getString("finishedAt")))).isLessThan(Duration.ofSeconds(20));
        String log = given().accept("text/plain").get(Api.app(tenant, "web") + "/builds/" + first + "/log").asString();
        assertThat(log).contains("Time limit: 5 s (plan '" + planName + "' build timeout)",
                "*** Build #" + first + " failed: timed out after 5 s");

        // The tenant's override replaces the plan's limit.
        json().body(Map.of("overrides", Map.of("buildTimeoutMinutes", 2))).put("/api/v1/tenants/" + tenant).then()
                .statusCode(200);
        QuarkusTransaction.requiringNew().run(() -> Tenant.update("buildTimeoutSeconds = 3 where slug = ?1", tenant));
        int second = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
        JsonPath overridden = BuildEndToEndTest.waitForBuild(tenant, "web", second);
        assertThat(overridden.getString("state")).isEqualTo("failed");
        assertThat(overridden.getString("failureReason"))
                .isEqualTo("timed out after 3 s (the tenant's build timeout override)");
    }
}
