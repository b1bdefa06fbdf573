package dev.berth.web;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testsupport.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A refused form post comes back as the page with the error next to its field, in the form that was sent: the input
 * marked invalid, described by its error, focused on load, with what the user typed still in it; nothing of it in
 * the page's other forms.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class InlineErrorsTest {

    @Test
    void aRefusedScaleShowsInTheScaleFormNextToTheReplicasWithTheTypedValue() {
        String slug = Api.createTenant("inl");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        String base = "/t/" + slug + "/apps/web";
        String html = PageForms.from(base).post().formParam("replicas", "three").post(base + "/scale").then()
                .statusCode(400).extract().asString();
        String scale = section(html, "scale");
        assertThat(scale).contains("id=\"scale-replicas\"").contains("value=\"three\"")
                .contains("aria-invalid=\"true\" aria-describedby=\"scale-replicas-error\" autofocus")
                .contains("<small class=\"err\" id=\"scale-replicas-error\" data-field=\"replicas\">replicas: must be a whole number</small>")
                .contains("Not saved:");
        assertThat(section(html, "settings")).as("the settings form is untouched").doesNotContain("class=\"err\"")
                .doesNotContain("aria-invalid").doesNotContain("Not saved:");

        // Over the tenant's limits: refused by the quota, still shown next to the replicas with the number sent.
        html = PageForms.from(base).post().formParam("replicas", "500").post(base + "/scale").then()
                .extract().asString();
        assertThat(section(html, "scale")).contains("value=\"500\"").contains("id=\"scale-replicas-error\"");
        json().get(Api.app(slug, "web")).then().statusCode(200).body("replicas", org.hamcrest.Matchers.equalTo(1));

        PageForms.from(base).post().formParam("replicas", "2").post(base + "/scale").then().statusCode(303);
        json().get(Api.app(slug, "web")).then().statusCode(200).body("replicas", org.hamcrest.Matchers.equalTo(2));
        assertThat(section(given().accept("text/html").get(base).then().statusCode(200).extract().asString(), "scale"))
                .as("the scale form shows the replicas as they are").contains("value=\"2\"");
    }

    @Test
    void aRefusedSettingsOrNewAppOrAutoscalerFieldIsMarkedWhereItWasTyped() {
        String slug = Api.createTenant("inm");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        String base = "/t/" + slug + "/apps/web";

        String html = PageForms.from(base).post().formParam("image", "registry.example.com/t/web:2")
                .formParam("port", "eighty").post(base).then().statusCode(400).extract().asString();
        String settings = section(html, "settings");
        assertThat(settings).contains("id=\"f-port\"").contains("value=\"eighty\"")
                .contains("aria-describedby=\"f-port-error\"").contains("value=\"registry.example.com/t/web:2\"");
        assertThat(section(html, "scale")).doesNotContain("aria-invalid");

        html = PageForms.from("/t/" + slug + "/apps/new").post().formParam("name", "Bad_Name").formParam("image", "nginx:1.27")
                .post("/t/" + slug + "/apps").then().statusCode(400).extract().asString();
        assertThat(section(html, "new-app")).contains("value=\"Bad_Name\"")
                .contains("aria-invalid=\"true\" aria-describedby=\"f-name-error\"").contains("id=\"f-name-error\"");

        html = PageForms.from(base + "/autoscaling").post().formParam("minReplicas", "0").formParam("maxReplicas", "3")
                .formParam("cpuPercent", "70").post(base + "/autoscaling").then().statusCode(400).extract().asString();
        assertThat(section(html, "autoscaling")).contains("id=\"as-minReplicas\"")
                .contains("aria-describedby=\"as-minReplicas-error\"").contains("value=\"0\"").contains("value=\"3\"");
    }

    /** The markup of {@code <section ... id="id">} up to its end. */
    private static String section(String html, String id) {
        int start = html.indexOf("id=\"" + id + "\"");
        assertThat(start).as("section " + id).isNotNegative();
        return html.substring(start, html.indexOf("</section>", start));
    }
}
