package dev.berth.builds;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Build minutes are metered from what builds really took, whatever their outcome: here a build that fails (its
 * repository cannot be fetched) is counted with its measured duration, and the usage API shows
 * the minutes. (A cancelled running build is metered in {@code BuildEndToEndTest}.)
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class BuildMinutesTest {
    @Inject
    EntityManager em;

    private long[] meter(long tenantId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Object[] r = (Object[]) em.createNativeQuery("select coalesce(sum(seconds), 0), coalesce(sum(builds), 0) "
                    + "from build_usage where tenant_id = ?1").setParameter(1, tenantId).getSingleResult();
            return new long[] {((Number) r[0]).longValue(), ((Number) r[1]).longValue()};
        });
    }

    @Test
    void aFailedBuildIsMeteredWithItsActualDuration() {
        String slug = Api.createTenant("meter");
        Api.createApp(slug, Api.app("web"));
        String app = Api.app(slug, "web");
        json().body(Map.of("repoUrl", "git://127.0.0.1:9/none.git", "ref", "main")).put(app + "/source").then()
                .statusCode(200);
        long tenantId = QuarkusTransaction.requiringNew().call(() -> Tenant.findBySlug(slug).id);
        assertThat(meter(tenantId)).containsExactly(0, 0);

        int number = json().post(app + "/builds").then().statusCode(201).extract().path("number");
        JsonPath done = BuildEndToEndTest.waitForBuild(slug, "web", number);
        assertThat(done.getString("state")).isEqualTo("failed");
        long ms = Duration.between(Instant.parse(done.getString("startedAt")),
                Instant.parse(done.getString("finishedAt"))).toMillis();
        long expected = (ms + 999) / 1000;
        // The build is metered right after its outcome is recorded.
        await().atMost(Duration.ofSeconds(10)).until(() -> meter(tenantId)[1] == 1);
        long[] metered = meter(tenantId);
        assertThat(metered[1]).isEqualTo(1);
        // Rounded up to the second; the meter reads the end a moment after the recorded finish.
        assertThat(metered[0]).isBetween(Math.max(1, expected), expected + 5);
        assertThat(json().get("/api/v1/tenants/" + slug + "/usage").then().statusCode(200).extract().jsonPath()
                .getLong("measures.find { it.name == 'buildMinutesPerMonth' }.used"))
                .isEqualTo((metered[0] + 59) / 60);
    }
}
