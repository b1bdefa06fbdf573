package dev.berth.members;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Problems;
import dev.berth.testsupport.Users;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class MembersTest {

    private static String members(String tenant) {
        return "/api/v1/tenants/" + tenant + "/members";
    }

    @Test
    void ownersAddMembersByUserNameOrEmailKnownToTheIdentityProvider() {
        String t = Api.createTenant("mem", "alice");
        Users.actAs("alice");
        json().body(Map.of("user", "bob@berth.localhost", "role", "viewer")).post(members(t)).then()
                .log().ifValidationFails().statusCode(201)
                .body("subject", equalTo("bob")).body("username", equalTo("bob"))
                .body("email", equalTo("bob@berth.localhost")).body("role", equalTo("viewer"));
        json().body(Map.of("user", "admin", "role", "developer")).post(members(t)).then().statusCode(201);
        json().get(members(t)).then().statusCode(200)
                .body("username", equalTo(List.of("admin", "alice", "bob")))
                .body("find { it.username == 'bob' }.role", equalTo("viewer"));
        // Changing a role by user name or address, and removing by address, reach the same member.
        json().body(Map.of("role", "developer")).put(members(t) + "/bob").then().statusCode(200)
                .body("find { it.username == 'bob' }.role", equalTo("developer"));
        json().delete(members(t) + "/admin@berth.localhost").then().statusCode(204);
        json().get(members(t)).then().body("username", equalTo(List.of("alice", "bob")));

        Users.actAsAdmin();
        json().get("/api/v1/tenants/" + t + "/audit").then().statusCode(200)
                .body("action", hasItem("member.add")).body("action", hasItem("member.role"))
                .body("action", hasItem("member.remove"))
                .body("find { it.action == 'member.add' }.actor", equalTo("alice"));
    }

    @Test
    void unknownUsersAreRefusedNamingTheField() {
        String t = Api.createTenant("mem-unknown", "alice");
        String nobody = Api.uniqueSlug("nobody");
        Problems.assertProblem(json().body(Map.of("user", nobody, "role", "viewer")).post(members(t)), 400, "user");
        Problems.assertProblem(json().body(Map.of("role", "viewer")).put(members(t) + "/" + nobody), 400, "subject");
        Problems.assertProblem(json().body(Map.of("user", "bob", "role", "boss")).post(members(t)), 400, "role");
        Problems.assertProblem(json().body(Map.of("role", "viewer")).post(members(t)), 400, "user");
        String slug = Api.uniqueSlug("x");
        Problems.assertProblem(json().body(Map.of("slug", slug, "owners", List.of("alice", nobody)))
                .post("/api/v1/tenants"), 400, "owners[1]");
        json().get("/api/v1/tenants/" + slug).then().statusCode(404);
        json().get(members(t)).then().body("username", equalTo(List.of("alice")));
    }

    @Test
    void theLastOwnerCanNeitherBeDemotedNorRemoved() {
        String t = Api.createTenant("mem-owner", "alice");
        Users.actAs("alice");
        Problems.assertProblem(json().body(Map.of("role", "developer")).put(members(t) + "/alice"), 409, "role");
        Problems.assertProblem(json().delete(members(t) + "/alice"), 409, "role");
        Api.putMember(t, "bob", "owner");
        json().body(Map.of("role", "viewer")).put(members(t) + "/alice").then().statusCode(200);
        Users.actAs("bob");
        Problems.assertProblem(json().delete(members(t) + "/bob"), 409, "role");
        json().get(members(t)).then().body("find { it.username == 'bob' }.role", equalTo("owner"))
                .body("find { it.username == 'alice' }.role", equalTo("viewer"));
    }

    @Test
    void twoOwnersDemotingEachOtherAtOnceLeaveOneOwner() {
        for (int round = 0; round < 5; round++) {
            String t = Api.createTenant("mem-race", "alice", "bob");
            CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() ->
                    json().body(Map.of("role", "viewer")).put(members(t) + "/alice").statusCode());
            CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() ->
                    json().body(Map.of("role", "viewer")).put(members(t) + "/bob").statusCode());
            assertThat(List.of(first.join(), second.join())).containsExactlyInAnyOrder(200, 409);
            assertThat(json().get(members(t)).then().extract().<List<String>>path("role")).containsOnlyOnce("owner");
        }
    }
}
