package dev.berth.api;

import static dev.berth.testsupport.Api.json;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.KnownUsers;
import dev.berth.testsupport.Problems;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The API refuses what it used to guess at: empty owner lists, unknown fields, trailing text, coerced types. */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class StrictInputTest {

    @Test
    void ownersMustNameSomeoneWhenGiven() {
        Problems.assertProblem(json().body(Map.of("slug", Api.uniqueSlug("own"), "owners", List.of()))
                .post("/api/v1/tenants"), 400, "owners");
        Problems.assertProblem(json().body("{\"slug\":\"" + Api.uniqueSlug("own") + "\",\"owners\":[null]}")
                .post("/api/v1/tenants"), 400, "owners[0]");
        KnownUsers.add("alice");
        Problems.assertProblem(json().body(Map.of("slug", Api.uniqueSlug("own"), "owners", Arrays.asList("alice", " ")))
                .post("/api/v1/tenants"), 400, "owners[1]");
    }

    @Test
    void unknownFieldsTrailingTextAndCoercedTypesAreRefusedNamingTheField() {
        String slug = Api.createTenant("strict", "alice");
        Map<String, Object> unknown = Api.app("web");
        unknown.put("replica", 2);
        Problems.assertProblem(json().body(unknown).post(Api.apps(slug)), 400, "replica");
        Problems.assertProblem(json().body("{\"name\":\"web\",\"image\":\"registry.example.com/a/b:1\"} trailing")
                .post(Api.apps(slug)), 400, "body");
        Problems.assertProblem(json().body("{\"name\":\"web\",\"image\":\"registry.example.com/a/b:1\",\"replicas\":\"2\"}")
                .post(Api.apps(slug)), 400, "replicas");
        Problems.assertProblem(json().body("{\"name\":\"web\",\"image\":42}").post(Api.apps(slug)), 400, "image");
        List<String> none = new ArrayList<>();
        json().get(Api.apps(slug)).then().statusCode(200).body("items", org.hamcrest.Matchers.equalTo(none));
    }

    @Test
    void aBadQueryParameterIsA400NamingItNotA404() {
        Problems.assertProblem(json().get("/api/v1/audit?limit=abc"), 400, "limit");
        json().get("/api/v1/no-such-thing").then().statusCode(404);
    }
}
