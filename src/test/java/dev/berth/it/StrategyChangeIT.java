package dev.berth.it;

import static dev.berth.it.StrategiesIT.rolloutState;
import static dev.berth.it.StrategiesIT.settings;
import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Strategy changes and canary traffic judged by what the real Endpoints controller publishes: the app's Service
 * keeps a ready endpoint at every moment of each of the six strategy changes, and while a canary runs, the main
 * Service's ready endpoints are stable pods only, so the canary's share of requests is its Ingress weight.
 */
@QuarkusTest
@TestProfile(RealCluster.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class StrategyChangeIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final List<String> SERVING = List.of("web", "web-blue", "web-stable");
    private final KubernetesClient kube = ControlPlane.get().admin();

    static String serving(String strategy) {
        return switch (strategy) {
            case "blue-green" -> "web-blue";
            case "canary" -> "web-stable";
            default -> "web";
        };
    }

    Deployment deployment(String slug, String name) {
        return kube.apps().deployments().inNamespace(Names.namespace(slug)).withName(name).get();
    }

    /** Until the app runs only {@code strategy}'s serving Deployment, ready, and no rollout is active. */
    void awaitLayout(String slug, String strategy, int replicas) {
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
            assertThat(rolloutState(slug)).isEqualTo("succeeded");
            Deployment d = deployment(slug, serving(strategy));
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(replicas);
            for (String other : SERVING) {
                if (!other.equals(serving(strategy))) {
                    assertThat(deployment(slug, other)).as(other).isNull();
                }
            }
            assertThat(EndpointsWatch.ready(kube, Names.namespace(slug), "web")).hasSize(replicas);
        });
    }

    String app(String strategy, int replicas) {
        String slug = Api.createTenant("chg");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", replicas));
        await().ignoreExceptions().atMost(WAIT).until(() -> "succeeded".equals(rolloutState(slug)));
        if (!strategy.equals("rolling")) {
            settings(slug, Map.of("strategy", strategy, "canaryWeight", 25));
        }
        awaitLayout(slug, strategy, replicas);
        return slug;
    }

    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource({"rolling, blue-green", "blue-green, canary", "canary, rolling", "rolling, canary",
            "canary, blue-green", "blue-green, rolling"})
    void theServiceKeepsAReadyEndpointThroughEveryStrategyChange(String from, String to) {
        String slug = app(from, 2);
        try (EndpointsWatch watch = new EndpointsWatch(kube, Names.namespace(slug), "web", Map.of())) {
            await().atMost(WAIT).until(watch::served);
            settings(slug, Map.of("strategy", to));
            awaitLayout(slug, to, 2);
            assertThat(watch.gaps()).as("moments without a ready endpoint, " + from + " to " + to).isEmpty();
            assertThat(watch.moments()).isGreaterThan(10);
        }
    }

    @Test
    void aCanaryTakesExactlyItsWeight() {
        String slug = app("canary", 4);
        String ns = Names.namespace(slug);
        try (EndpointsWatch main = new EndpointsWatch(kube, ns, "web", Map.of("berth.dev/track", "canary"))) {
            json().body(Map.of("image", "registry.example.com/t/web:2")).post(Api.app(slug, "web") + "/releases").then()
                    .statusCode(202);
            await().ignoreExceptions().atMost(WAIT).until(() -> "canary".equals(rolloutState(slug)));
            await().atMost(WAIT).untilAsserted(() -> assertThat(EndpointsWatch.ready(kube, ns, "web-canary")).hasSize(1));
            List<EndpointAddress> stable = EndpointsWatch.ready(kube, ns, "web");
            List<EndpointAddress> canary = EndpointsWatch.ready(kube, ns, "web-canary");
            double weight = Double.parseDouble(kube.network().v1().ingresses().inNamespace(ns).withName("web-canary").get()
                    .getMetadata().getAnnotations().get("nginx.ingress.kubernetes.io/canary-weight")) / 100;
            // nginx sends `weight` of the requests to the canary Service and the rest to the main one; requests reach
            // canary pods through either Service in proportion to their share of its ready endpoints.
            double share = weight * fraction(ns, canary, "canary") + (1 - weight) * fraction(ns, stable, "canary");
            assertThat(share).as("share of requests reaching canary pods").isEqualTo(0.25);
            assertThat(stable).hasSize(3);
            json().post(Api.app(slug, "web") + "/releases/promote").then().statusCode(202);
            awaitLayout(slug, "canary", 4);
            assertThat(main.excludedReady()).as("canary pods among the main Service's ready endpoints").isEmpty();
            assertThat(main.gaps()).as("moments without a ready endpoint").isEmpty();
        }
    }

    private double fraction(String ns, List<EndpointAddress> addresses, String track) {
        long of = addresses.stream().filter(a -> {
            Pod p = kube.pods().inNamespace(ns).withName(a.getTargetRef().getName()).get();
            return p != null && track.equals(p.getMetadata().getLabels().get("berth.dev/track"));
        }).count();
        return addresses.isEmpty() ? 0 : (double) of / addresses.size();
    }
}
