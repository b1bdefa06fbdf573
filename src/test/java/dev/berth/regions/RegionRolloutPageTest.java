package dev.berth.regions;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.xml.XmlPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The app page's regions part, rendered on the server from the rollout state: per region its role, the release it
 * serves, whether it is pinned to an earlier release, the progress of the release in flight and its health, and the
 * waves with the one in progress marked. Asserted on the parsed HTML of the page (and of the fragment the page's
 * script polls) in a setup of three independent API servers.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class RegionRolloutPageTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final MockRegions regions = new MockRegions();

    @AfterEach
    void cleanUp() {
        regions.close();
    }

    /** The app page (or its polled fragment) parsed as HTML. */
    static XmlPath page(String url) {
        String html = given().accept("text/html").get(url).then().statusCode(200).extract().asString();
        return new XmlPath(XmlPath.CompatibilityMode.HTML, html);
    }

    static String region(XmlPath page, String region, String attribute) {
        return page.getString("**.find { it.@'data-region' == '" + region + "' }.@'" + attribute + "'");
    }

    static String regionText(XmlPath page, String region) {
        return page.getString("**.find { it.@'data-region' == '" + region + "' }");
    }

    static String wave(XmlPath page, int number, String attribute) {
        return page.getString("**.find { it.@'data-wave' == '" + number + "' }.@'" + attribute + "'");
    }

    @Test
    void thePageShowsPerRegionTheReleaseItServesItsPinTheWavesProgressAndHealth() throws Exception {
        String slug = ReplicationTest.tenant(40);
        regions.register("pg-a", 1, 1, slug);
        regions.register("pg-b", 2, 2, slug);
        regions.register("pg-c", 3, 3, slug);
        Map<String, Object> app = Api.app("web");
        app.put("replicas", 2);
        Api.createApp(slug, app);
        json().body(Map.of("primary", "pg-b", "replicas", List.of("pg-a", "pg-c"), "allRegions", false,
                "pauseBetweenWaves", true)).put(Api.app(slug, "web") + "/placement").then().statusCode(200);
        WaveRolloutTest.awaitState(slug, "succeeded");

        json().body(Map.of("image", "registry.example.com/team/web@sha256:"
                + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")).patch(Api.app(slug, "web"))
                .then().statusCode(200);
        WaveRolloutTest.awaitState(slug, "wave-paused");
        String appPage = "/t/" + slug + "/apps/web";
        // The wave's pods become ready in the watch cache a moment after the gate saw them: wait for the page to say so.
        await().atMost(WAIT).until(() -> "2/2".equals(region(page(appPage), "pg-b", "data-progress"))
                && "ready".equals(region(page(appPage), "pg-b", "data-health")));

        for (String url : List.of(appPage, appPage + "/releases/regions")) {
            XmlPath p = page(url);
            // The primary (pg-b) was the first wave: it serves release 2, fully rolled out, by its digest.
            assertThat(region(p, "pg-b", "data-role")).isEqualTo("primary");
            assertThat(region(p, "pg-b", "data-release")).isEqualTo("2");
            assertThat(region(p, "pg-b", "data-pinned")).isEqualTo("false");
            assertThat(region(p, "pg-b", "data-progress")).isEqualTo("2/2");
            assertThat(regionText(p, "pg-b")).contains("sha256:0123456789ab").doesNotContain("sha256:0123456789abc")
                    .contains("region reachable").contains("2 of 2 ready");
            // The replicas wait for the second wave on release 1: pinned, nothing of release 2 there.
            for (String replica : List.of("pg-a", "pg-c")) {
                assertThat(region(p, replica, "data-role")).isEqualTo("replica");
                assertThat(region(p, replica, "data-release")).isEqualTo("1");
                assertThat(region(p, replica, "data-pinned")).isEqualTo("true");
                assertThat(region(p, replica, "data-progress")).isEqualTo("0/0");
                assertThat(region(p, replica, "data-health")).isEqualTo("ready");
                assertThat(regionText(p, replica)).contains("web:1.0").contains("waits for a later wave");
            }
            // Region order: primary first, then the replicas by name.
            assertThat(p.getList("**.findAll { it.@'data-region' != '' }.collect { it.@'data-region' }"))
                    .containsExactly("pg-b", "pg-a", "pg-c");
            assertThat(wave(p, 1, "data-wave-status")).isEqualTo("done");
            assertThat(wave(p, 2, "data-wave-status")).isEqualTo("next, on promote");
            assertThat(wave(p, 2, "aria-current")).isEqualTo("step");
            assertThat(wave(p, 1, "aria-current")).isNullOrEmpty();
            assertThat(p.getString("**.find { it.@'data-wave' == '2' }")).contains("pg-a, pg-c");
            assertThat(p.getString("**.find { it.@'data-rollout-state' != '' }.@'data-rollout-state'"))
                    .isEqualTo("wave-paused");
        }

        json().post(Api.app(slug, "web") + "/releases/promote").then().statusCode(202);
        WaveRolloutTest.awaitState(slug, "succeeded");
        await().atMost(WAIT).untilAsserted(() -> {
            XmlPath p = page(appPage);
            for (String r : List.of("pg-a", "pg-b", "pg-c")) {
                assertThat(region(p, r, "data-release")).isEqualTo("2");
                assertThat(region(p, r, "data-pinned")).isEqualTo("false");
                assertThat(region(p, r, "data-progress")).isEqualTo("2/2");
            }
            assertThat(wave(p, 1, "data-wave-status")).isEqualTo("done");
            assertThat(wave(p, 2, "data-wave-status")).isEqualTo("done");
        });
    }
}
