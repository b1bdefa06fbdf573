package dev.berth.audit;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Problems;
import dev.berth.testsupport.Users;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class AuditLogTest {

    @Test
    void ownersFilterTheirTenantsLogByActorAppActionAndTime() {
        String owner = Api.uniqueSlug("owner");
        String t = Api.createTenant("aud", owner);
        Instant start = Instant.now();
        Users.actAs(owner);
        Api.createApp(t, Api.app("web"));
        Api.createApp(t, Api.app("worker"));
        json().body(Map.of("replicas", 2)).patch(Api.app(t, "web")).then().statusCode(200);
        Api.putMember(t, "bob", "viewer");
        String log = "/api/v1/tenants/" + t + "/audit";

        json().get(log).then().statusCode(200)
                .body("action", hasItem("tenant.create")).body("tenant", everyItem(equalTo(t)))
                .body("find { it.action == 'member.add' }.actor", equalTo(owner))
                .body("find { it.action == 'member.add' }.result", equalTo("ok"))
                .body("find { it.action == 'member.add' }.sourceIp", startsWith("127."));
        json().queryParam("app", "web").get(log).then().statusCode(200).body("app", everyItem(equalTo("web")))
                .body("size()", equalTo(2));
        json().queryParam("actor", owner).get(log).then().body("actor", everyItem(equalTo(owner)))
                .body("action", not(hasItem("tenant.create")));
        json().queryParam("action", "member.").get(log).then().body("action", equalTo(List.of("member.add")));
        json().queryParam("from", start.toString()).queryParam("to", Instant.now().plusSeconds(60).toString())
                .get(log).then().body("action", not(hasItem("tenant.create"))).body("size()", equalTo(4));
        json().queryParam("to", start.toString()).get(log).then().body("action", equalTo(List.of("tenant.create")));
        json().queryParam("limit", 1).get(log).then().body("size()", equalTo(1));

        Problems.assertProblem(json().queryParam("from", "yesterday").get(log), 400, "from");
        Problems.assertProblem(json().queryParam("from", Instant.now().toString())
                .queryParam("to", start.toString()).get(log), 400, "to");
        Problems.assertProblem(json().queryParam("limit", 0).get(log), 400, "limit");
    }

    @Test
    void aChangeRefusedBeforeItReachesTheServiceIsRecordedToo() {
        String who = Api.uniqueSlug("intruder");
        Users.actAs(who);
        try {
            // Refused by the platform-admin check, which runs before the request reaches a worker thread.
            json().body(Map.of("name", "sneaky")).post("/api/v1/plans").then().statusCode(403);
        } finally {
            Users.actAsAdmin();
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                json().queryParam("actor", who).get("/api/v1/audit").then().statusCode(200)
                        .body("action", hasItem("request.denied"))
                        .body("summary", hasItem(containsString("POST /api/v1/plans: 403"))));
    }

    @Test
    void theLogDownloadsAsAJsonFile() {
        String t = Api.createTenant("aud-exp", "alice");
        Api.createApp(t, Api.app("web"));
        Users.actAs("alice");
        var r = json().queryParam("app", "web").get("/api/v1/tenants/" + t + "/audit/export");
        r.then().statusCode(200).contentType(containsString("application/json"))
                .header("Content-Disposition", startsWith("attachment; filename=\"audit-" + t + "-"))
                .body("action", equalTo(List.of("app.create")));
    }

    @Test
    void platformAdminsReadEveryTenantsLogOthersDoNot() {
        String a = Api.createTenant("aud-a", "alice");
        String b = Api.createTenant("aud-b", "bob");
        json().get("/api/v1/audit?action=tenant.create&limit=1000").then().statusCode(200)
                .body("tenant", hasItem(a)).body("tenant", hasItem(b));
        json().get("/api/v1/audit?tenant=" + b).then().statusCode(200).body("tenant", everyItem(equalTo(b)));
        json().get("/api/v1/audit/export?tenant=" + a).then().statusCode(200)
                .header("Content-Disposition", containsString("audit-" + a));

        Users.actAs("alice");
        json().get("/api/v1/audit").then().statusCode(403);
        json().get("/api/v1/audit/export").then().statusCode(403);
        json().get("/api/v1/tenants/" + b + "/audit").then().statusCode(404);
        List<String> tenants = json().get("/api/v1/tenants/" + a + "/audit").then().statusCode(200).extract()
                .path("tenant");
        assertThat(tenants).isNotEmpty().containsOnly(a);
    }
}
