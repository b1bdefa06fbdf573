package dev.berth.members;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Users;
import dev.berth.web.PageForms;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.response.Response;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Owners create, see and revoke API tokens in the browser; the secret is shown once and works on the API. */
@QuarkusTest
class TokenPagesTest {
    private static final Pattern SECRET = Pattern.compile("value=\"(berth_[A-Za-z0-9_-]+)\"");

    @Test
    @TestSecurity(user = "olivia")
    void anOwnerCreatesATokenSeesItOnceWithCiExamplesUsesItAndRevokesIt() {
        String[] slug = new String[1];
        Users.asAdminThen("olivia", () -> {
            slug[0] = Api.createTenant("tokens", "olivia");
            Api.createApp(slug[0], Api.app("web"));
        });
        String page = "/t/" + slug[0] + "/tokens";
        given().get(page).then().statusCode(200).body(containsString("No API tokens yet"));

        Response created = PageForms.from(page).post().formParam("name", "github-actions")
                .formParam("role", "developer").formParam("app", "web").formParam("expiresInDays", "30").post(page);
        created.then().statusCode(200).header("Cache-Control", containsString("no-store"));
        String html = created.asString();
        Matcher m = SECRET.matcher(html);
        assertThat(m.find()).as("the new token is on the page").isTrue();
        String secret = m.group(1);
        assertThat(html).contains("Copy the token now").contains("secrets.BERTH_TOKEN").contains("$CI_COMMIT_SHA")
                .contains("/api/v1/tenants/" + slug[0] + "/apps/web/releases")
                .contains("Authorization: Bearer $BERTH_TOKEN");

        // The list shows the token without its secret, and the secret works on the API, for its app only.
        String list = given().get(page).then().statusCode(200).extract().asString();
        assertThat(list).contains("github-actions").contains("developer").contains("never")
                .doesNotContain(secret);
        given().header("Authorization", "Bearer " + secret).accept("application/json")
                .get(Api.app(slug[0], "web")).then().statusCode(200);

        Matcher revoke = Pattern.compile("action=\"(/t/[^\"]+/tokens/\\d+/revoke)\"").matcher(list);
        assertThat(revoke.find()).isTrue();
        PageForms.from(page).post().post(revoke.group(1)).then().statusCode(303)
                .header("Location", containsString("/tokens?ok=revoked"));
        given().header("Authorization", "Bearer " + secret).accept("application/json")
                .get(Api.app(slug[0], "web")).then().statusCode(401);
        given().get(page).then().statusCode(200).body(containsString("revoked"));
    }

    @Test
    @TestSecurity(user = "olivia")
    void aBadFormIsRefusedNamingTheFieldAndCreatesNothing() {
        String[] slug = new String[1];
        Users.asAdminThen("olivia", () -> slug[0] = Api.createTenant("tokens", "olivia"));
        String page = "/t/" + slug[0] + "/tokens";
        PageForms.from(page).post().formParam("name", "ci").formParam("role", "developer")
                .formParam("expiresInDays", "soon").post(page).then().statusCode(400)
                .body(containsString("data-field=\"expiresInDays\""));
        PageForms.from(page).post().formParam("name", "ci").formParam("role", "developer").formParam("app", "nope")
                .formParam("expiresInDays", "30").post(page).then().statusCode(400)
                .body(containsString("data-field=\"app\""));
        given().get(page).then().statusCode(200).body(containsString("No API tokens yet"));
    }

    @Test
    @TestSecurity(user = "dave")
    void developersCannotSeeTheTokensPage() {
        String[] slug = new String[1];
        Users.asAdminThen("dave", () -> {
            slug[0] = Api.createTenant("tokens", "olivia");
            dev.berth.testsupport.KnownUsers.add("dave");
            Api.json().body(java.util.Map.of("user", "dave", "role", "developer"))
                    .post("/api/v1/tenants/" + slug[0] + "/members").then().statusCode(201);
        });
        given().get("/t/" + slug[0] + "/tokens").then().statusCode(403);
    }
}
