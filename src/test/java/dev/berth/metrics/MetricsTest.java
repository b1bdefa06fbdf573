package dev.berth.metrics;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.nullValue;

import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * CPU and memory per app on the sandbox region (its use simulated): samples per interval, the series API with its
 * requests and limits, parameter errors naming the parameter, and the app page's charts.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class MetricsTest {
    @Inject
    Sandbox sandbox;
    @Inject
    MetricsSampler sampler;

    static String metrics(String slug, String app) {
        return Api.app(slug, app) + "/metrics";
    }

    @Test
    void samplesOfRunningPodsMakeASeriesBesideTheRequestsAndLimits() {
        String slug = Api.createTenant("metrics");
        Map<String, Object> web = new LinkedHashMap<>(Api.app("web"));
        web.put("replicas", 2);
        Api.createApp(slug, web);
        sandbox.settle();
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox.cluster().cache()
                .podsOf(Names.namespace(slug), "web").stream().filter(p -> p.getStatus() != null
                        && "Running".equals(p.getStatus().getPhase())).count() == 2);
        Instant t0 = Instant.now().minus(Duration.ofMinutes(5));
        assertThat(sampler.sample(t0)).isGreaterThan(0);
        assertThat(sampler.sample(t0)).as("the same slot again is a no-op").isZero();
        sampler.sample(t0.plus(Duration.ofMinutes(2)));

        json().get(metrics(slug, "web")).then().log().ifValidationFails().statusCode(200)
                .body("app", equalTo("web"))
                .body("regions[0].region", equalTo(Sandbox.REGION))
                .body("regions[0].metricsApi", equalTo("simulated"))
                .body("regions[0].note", nullValue())
                .body("regions[0].cpuRequestMillis", greaterThan(0))
                .body("regions[0].memoryLimitBytes", greaterThan(0))
                .body("regions[0].points.size()", equalTo(2))
                .body("regions[0].points[0].pods", equalTo(2.0f))
                .body("regions[0].points[0].cpuMillis", greaterThan(0))
                .body("regions[0].points[0].memoryBytes", greaterThan(0));
        json().queryParam("region", Sandbox.REGION).queryParam("from", t0.plus(Duration.ofMinutes(1)).toString())
                .get(metrics(slug, "web")).then().statusCode(200).body("regions[0].points.size()", equalTo(1));
    }

    @Test
    void badParametersAreRefusedNamingTheParameter() {
        String slug = Api.createTenant("metricsbad");
        Api.createApp(slug, Api.app("web"));
        assertProblem(json().queryParam("from", "yesterday").get(metrics(slug, "web")), 400, "from");
        assertProblem(json().queryParam("from", "2026-01-01").queryParam("to", "2026-03-01")
                .get(metrics(slug, "web")), 400, "from");
        assertProblem(json().queryParam("region", "nowhere").get(metrics(slug, "web")), 400, "region");
        json().get(metrics(slug, "nope")).then().statusCode(404);
    }

    @Test
    void theChartsFragmentDrawsCpuAndMemoryWithRequestAndLimit() {
        String slug = Api.createTenant("metricspage", "admin");
        Api.createApp(slug, Api.app("web"));
        sandbox.settle();
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox.cluster().cache()
                .podsOf(Names.namespace(slug), "web").stream().anyMatch(p -> p.getStatus() != null
                        && "Running".equals(p.getStatus().getPhase())));
        sampler.sample(Instant.now().minus(Duration.ofMinutes(1)));
        dev.berth.testsupport.Users.actByCredentials();
        try {
            dev.berth.testsupport.Sessions admin = dev.berth.testsupport.Sessions.login("admin", "/t/" + slug
                    + "/apps/web");
            admin.cookiesOnly().get("/t/" + slug + "/apps/web/metrics/charts").then().statusCode(200)
                    .body(org.hamcrest.Matchers.containsString("data-measure=\"cpu\""))
                    .body(org.hamcrest.Matchers.containsString("data-measure=\"memory\""))
                    .body(org.hamcrest.Matchers.containsString("request 100m"))
                    .body(org.hamcrest.Matchers.containsString("MiB"));
        } finally {
            dev.berth.testsupport.Users.actAsAdmin();
        }
    }
}
