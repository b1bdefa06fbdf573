package dev.berth.builds;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import dev.berth.web.PageForms;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The builds pages: connect a repository through the form, start a build, and read its page and log. */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class BuildPagesTest {
    @Test
    void aRepositoryIsConnectedABuildStartedAndItsPageShowsTheLogAndWhatToAdd() {
        String tenant = Api.createTenant("bpg");
        Api.createApp(tenant, Api.app("web"));
        String page = "/t/" + tenant + "/apps/web/builds";
        assertThat(given().get("/t/" + tenant + "/apps/web").asString()).contains(page);
        GitRepos.commit(tenant + ".git", "Readme", Map.of("README.md", "hi\n"));

        // A bad URL is refused on the page with the field named; nothing is stored.
        String refused = PageForms.from(page).post().formParam("repoUrl", "file:///etc").formParam("ref", "main")
                .post(page + "/source").then().statusCode(400).extract().asString();
        assertThat(refused).contains("repoUrl: must use https, ssh or git");

        PageForms.from(page).post().formParam("repoUrl", BuildInfra.gitUrl(tenant + ".git")).formParam("ref", "main")
                .formParam("dockerfile", "Dockerfile").formParam("buildArgs", "A=1\nB=two words")
                .formParam("token", "").post(page + "/source").then().statusCode(303);
        String list = given().get(page).then().statusCode(200).extract().asString();
        assertThat(list).contains("Build now", "/hooks/" + tenant + "/web/github", "A=1", "B=two words");

        String location = PageForms.from(page).post().post(page).then().statusCode(303).extract().header("Location");
        assertThat(location).contains(page + "/1");
        BuildEndToEndTest.waitForBuild(tenant, "web", 1);
        String build = given().get(page + "/1").then().statusCode(200).extract().asString();
        assertThat(build).contains("Build #1", "failed", "nothing to build", "Checked out");
        assertThat(json().get(Api.app(tenant, "web") + "/builds/1").then().extract().<String>path("state"))
                .isEqualTo("failed");
        // The log as Server-Sent Events: every line as a numbered 'log' event, then 'end' with the final state.
        String events = given().accept("text/event-stream").get(Api.app(tenant, "web") + "/builds/1/log").then()
                .statusCode(200).extract().asString();
        assertThat(events).contains("event:log", "id:1", "data:Build #1 of " + tenant + "/web", "event:end",
                "data:failed");
        assertThat(events.indexOf("event:end")).isGreaterThan(events.lastIndexOf("event:log"));
    }
}
