package dev.berth.security;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Users;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A stranger's refused requests go to the platform's security log, rate-limited, never to the tenant's audit. */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class SecurityLogTest {

    @Test
    void aStrangersRefusedRequestsStayOutOfTheTenantsAuditLog() {
        String slug = Api.createTenant("seclog", "alice");
        Api.createApp(slug, Api.app("web"));
        String stranger = Api.uniqueSlug("mallory");
        // A source address of its own (the test profile trusts X-Forwarded-For), so other tests' refusals from
        // 127.0.0.1 do not share its budget.
        String source = "10.77." + (int) (Math.random() * 250) + "." + (int) (Math.random() * 250);
        Users.actAs(stranger);
        for (int i = 0; i < 50; i++) {
            json().header("X-Forwarded-For", source).body(Map.of("replicas", 3)).patch(Api.app(slug, "web")).then()
                    .statusCode(404);
        }
        Users.actAsAdmin();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> json().get("/api/v1/security-events").then()
                .statusCode(200).body("actor", hasItem(stranger))
                .body("find { it.actor == '" + stranger + "' }.path", containsString("/apps/web")));
        // The flood is rate-limited: 30 rows a minute per source address.
        await().atMost(Duration.ofSeconds(10)).until(() -> count("security_event", stranger) > 0);
        assertThat(count("security_event", stranger)).isBetween(1L, 30L);
        assertThat(count("audit_event", stranger)).as("rows in the audit log").isZero();
        json().get("/api/v1/tenants/" + slug + "/audit").then().statusCode(200)
                .body("actor", org.hamcrest.Matchers.not(hasItem(stranger)));
        given().get("/security").then().statusCode(200).body(containsString(stranger));
    }

    @Test
    void aMembersRefusalStaysInTheTenantsAuditLog() {
        String slug = Api.createTenant("seclog-m", "alice");
        Api.putMember(slug, "carol", "viewer");
        Api.createApp(slug, Api.app("web"));
        Users.actAs("carol");
        json().body(Map.of("replicas", 3)).patch(Api.app(slug, "web")).then().statusCode(403);
        Users.actAsAdmin();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> json().get("/api/v1/tenants/" + slug + "/audit")
                .then().statusCode(200).body("actor", hasItem("carol")));
        assertThat(count("security_event", "carol")).isZero();
    }

    @Test
    void onlyPlatformAdminsReadTheSecurityLog() {
        Users.actAs("alice");
        json().get("/api/v1/security-events").then().statusCode(403);
        given().get("/security").then().statusCode(403);
    }

    private static long count(String table, String actor) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) Panache.getEntityManager()
                .createNativeQuery("select count(*) from " + table + " where actor = ?1").setParameter(1, actor)
                .getSingleResult()).longValue());
    }

}
