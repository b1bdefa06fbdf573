package dev.berth.members;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Users;
import dev.berth.web.PageForms;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class MemberPagesTest {

    @Test
    void ownersAddChangeAndRemoveMembersOnTheMembersPage() {
        String owner = Api.uniqueSlug("owner");
        String t = Api.createTenant("mpage", owner);
        String page = "/t/" + t + "/members";
        Users.actAs(owner);
        given().get("/t/" + t).then().statusCode(200).body(containsString("href=\"" + page + "\""));
        given().get(page).then().statusCode(200).body(containsString("Add a member"));

        PageForms.from(page).post().formParam("user", "bob@berth.localhost").formParam("role", "viewer").post(page)
                .then().statusCode(303).header("Location", containsString(page + "?ok=added"));
        given().get(page + "?ok=added").then().statusCode(200).body(containsString("Member added."))
                .body(containsString("bob@berth.localhost"));
        PageForms.from(page).post().formParam("role", "developer").post(page + "/bob/role").then().statusCode(303);
        json().get("/api/v1/tenants/" + t + "/members").then()
                .body("find { it.username == 'bob' }.role", equalTo("developer"));

        String unknown = Api.uniqueSlug("nobody");
        String refused = PageForms.from(page).post().formParam("user", unknown).formParam("role", "viewer")
                .post(page).then().statusCode(400).extract().asString();
        assertThat(refused).contains("data-field=\"user\"").contains("value=\"" + unknown + "\"");
        PageForms.from(page).post().formParam("role", "viewer").post(page + "/" + owner + "/role").then()
                .statusCode(409).body(containsString("at least one owner"));

        PageForms.from(page).post().post(page + "/bob/remove").then().statusCode(303);
        json().get("/api/v1/tenants/" + t + "/members").then().body("username", equalTo(List.of(owner)));
    }

    @Test
    void viewersSeeMembersButCannotChangeThemAndStrangersSeeNothing() {
        String viewer = Api.uniqueSlug("viewer");
        String[] t = new String[1];
        Users.asAdminThen(viewer, () -> {
            t[0] = Api.createTenant("mpage-v", "alice");
            Api.putMember(t[0], viewer, "viewer");
        });
        String page = "/t/" + t[0] + "/members";
        String html = given().get(page).then().statusCode(200).extract().asString();
        assertThat(html).contains("alice").doesNotContain("Add a member").doesNotContain("/remove\"");
        // The tenant's sub-navigation, with this page current and only what a viewer may open.
        assertThat(html).contains("<a href=\"" + page + "\" aria-current=\"page\">Members</a>")
                .doesNotContain("/apps/new\"").doesNotContain("/tokens\"");
        PageForms.from(page).post().formParam("user", "bob").formParam("role", "owner").post(page).then()
                .statusCode(403);
        PageForms.from(page).post().post(page + "/alice/remove").then().statusCode(403);

        Users.actAs(Api.uniqueSlug("stranger"));
        given().get(page).then().statusCode(404).body(not(containsString("alice")));
    }
}
