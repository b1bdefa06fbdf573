package dev.berth.apps;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.testsupport.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The dashboard, the app list, the app page and the JSON app view tell the same state: an app whose pods
 * crash-loop in the sandbox is Degraded everywhere, with its restarts and the last termination message, not
 * Progressing at a glance.
 */
@QuarkusTest
class StatusModelPagesTest {

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void aCrashLoopingAppIsDegradedOnEveryPageWithItsRestartsAndLastMessage() {
        String slug = Api.createTenant("crash");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/team/crash:1"));

        JsonPath app = await().atMost(Duration.ofSeconds(15)).until(
                () -> json().get(Api.app(slug, "web")).then().statusCode(200).extract().jsonPath(),
                a -> "Degraded".equals(a.getString("status[0].state")));
        assertThat(app.getInt("status[0].restarts")).isGreaterThanOrEqualTo(AppHealth.CRASH_RESTARTS);
        assertThat(app.getString("status[0].reason")).startsWith("crash loop: restarted");
        assertThat(app.getString("status[0].message")).contains("the app exited with status 1");

        JsonPath list = json().get(Api.apps(slug)).then().statusCode(200).extract().jsonPath();
        assertThat(list.getString("items[0].status[0].state")).as("the app list's glance").isEqualTo("Degraded");
        assertThat(list.getString("items[0].status[0].reason")).startsWith("crash loop: restarted");
        assertThat(list.getInt("items[0].status[0].restarts")).isGreaterThanOrEqualTo(AppHealth.CRASH_RESTARTS);

        String dashboard = given().get("/t/" + slug).then().statusCode(200).extract().asString();
        assertThat(dashboard).contains("state-degraded").contains("crash loop: restarted")
                .contains("the app exited with status 1").doesNotContain("state-progressing");
        String page = given().get("/t/" + slug + "/apps/web").then().statusCode(200).extract().asString();
        assertThat(page).contains("state-degraded").contains("crash loop: restarted")
                .contains("the app exited with status 1");
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void anAppThatIsNotReadyYetSaysWhatItWaitsFor() {
        String slug = Api.createTenant("wait");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/team/never-ready:1"));
        JsonPath app = await().atMost(Duration.ofSeconds(15)).until(
                () -> json().get(Api.app(slug, "web")).then().statusCode(200).extract().jsonPath(),
                a -> !a.getList("status[0].pods").isEmpty() && "Progressing".equals(a.getString("status[0].state")));
        assertThat(app.getString("status[0].reason")).startsWith("waiting for");
        String dashboard = given().get("/t/" + slug).then().statusCode(200).extract().asString();
        assertThat(dashboard).contains("state-progressing").contains("waiting for");
    }
}
