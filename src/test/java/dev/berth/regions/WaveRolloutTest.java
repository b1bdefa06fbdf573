package dev.berth.regions;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.MockRegions.MockRegion;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Releases reach an app's regions in waves through the release engine: gate, pause, failure, rollback. */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class WaveRolloutTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final MockRegions regions = new MockRegions();

    @AfterEach
    void cleanUp() {
        regions.close();
    }

    static String image(MockRegion r, String slug) {
        Deployment d = ReplicationTest.deployment(r, slug, "web");
        return d == null ? null : d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    static String rollout(String slug, String field) {
        return json().get(Api.app(slug, "web") + "/releases/rollout").then().statusCode(200).extract().path(field)
                .toString();
    }

    static void awaitState(String slug, String state) {
        await().ignoreExceptions().atMost(WAIT).until(() -> state.equals(rollout(slug, "state")));
    }

    /** An app in three regions (canary region first, then the other two), with a pause between waves. */
    private String placedApp() throws Exception {
        String slug = ReplicationTest.tenant(40);
        regions.register("wv-a", 1, 1, slug);
        regions.register("wv-b", 2, 2, slug);
        regions.register("wv-c", 3, 3, slug);
        Api.createApp(slug, Api.app("web"));
        json().body(Map.of("primary", "wv-a", "replicas", List.of("wv-b", "wv-c"), "allRegions", false,
                "pauseBetweenWaves", true)).put(Api.app(slug, "web") + "/placement").then().statusCode(200);
        awaitState(slug, "succeeded");
        return slug;
    }

    @Test
    void aReleaseReachesTheCanaryRegionFirstPausesAndGoesOnWhenPromoted() throws Exception {
        String slug = placedApp();
        MockRegion a = regions.all().get(0);
        MockRegion b = regions.all().get(1);
        MockRegion c = regions.all().get(2);
        await().atMost(WAIT).until(() -> "registry.example.com/team/web:1.0".equals(image(c, slug)));

        json().body(Map.of("image", "registry.example.com/team/web:2.0")).patch(Api.app(slug, "web")).then()
                .statusCode(200);
        awaitState(slug, "wave-paused");
        assertThat(image(a, slug)).isEqualTo("registry.example.com/team/web:2.0");
        assertThat(image(b, slug)).as("later waves keep the previous release").endsWith(":1.0");
        assertThat(image(c, slug)).endsWith(":1.0");
        json().get(Api.app(slug, "web") + "/releases/rollout").then().body("wave", equalTo(1))
                .body("pinnedRegions.wv-b", equalTo(1)).body("waves[1]", equalTo(List.of("wv-b", "wv-c")));
        json().get(Api.app(slug, "web") + "/placement").then().body("regions.find { it.region == 'wv-c' }.pinnedRelease",
                equalTo(1));

        json().post(Api.app(slug, "web") + "/releases/promote").then().statusCode(202);
        awaitState(slug, "succeeded");
        await().atMost(WAIT).until(() -> image(b, slug).endsWith(":2.0") && image(c, slug).endsWith(":2.0"));
    }

    @Test
    void aFailingWaveStopsTheRolloutAndOneRollbackReturnsEveryRegion() throws Exception {
        String slug = placedApp();
        MockRegion a = regions.all().get(0);
        MockRegion b = regions.all().get(1);
        MockRegion c = regions.all().get(2);
        json().body(Map.of("progressDeadlineSeconds", 3)).put(Api.app(slug, "web") + "/deploy-settings").then()
                .statusCode(200);
        json().body(Map.of("image", "registry.example.com/team/web-never-ready:2.0")).patch(Api.app(slug, "web"))
                .then().statusCode(200);
        awaitState(slug, "failed");
        json().get(Api.app(slug, "web") + "/releases/rollout").then().body("reason", containsString("wv-a"));
        assertThat(image(a, slug)).contains("never-ready");
        assertThat(image(b, slug)).as("the failing wave stopped the rollout").endsWith("web:1.0");
        assertThat(image(c, slug)).endsWith("web:1.0");

        json().post(Api.app(slug, "web") + "/releases/1/rollback").then().log().ifValidationFails().statusCode(202);
        awaitState(slug, "succeeded");
        await().atMost(WAIT).until(() -> image(a, slug).endsWith("web:1.0"));
        json().get(Api.app(slug, "web") + "/placement").then()
                .body("regions.findAll { it.pinnedRelease != null }.size()", equalTo(0));
    }
}
