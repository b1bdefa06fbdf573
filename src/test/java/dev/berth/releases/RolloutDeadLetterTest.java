package dev.berth.releases;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.testsupport.Api;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A rollout whose step throws is retried in its own transaction without holding back the other due rollouts, keeps
 * the error, and after {@code berth.rollouts.max-failures} failed steps in a row rests in the job queue's dead
 * letter, where the engine no longer steps it.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class RolloutDeadLetterTest {
    @Inject
    EntityManager em;

    private Object[] rollout(String slug, String app) {
        return QuarkusTransaction.requiringNew().call(() -> (Object[]) em.createNativeQuery("""
                select r.id, r.attempts, r.last_error, r.dead_at, r.state from rollout r
                join app a on a.id = r.app_id join tenant t on t.id = a.tenant_id
                where t.slug = :s and a.name = :a order by r.id desc limit 1""").setParameter("s", slug)
                .setParameter("a", app).getSingleResult());
    }

    private void sql(String update, long id) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(update).setParameter("id", id)
                .executeUpdate());
    }

    @Test
    void aRolloutWhoseStepThrowsIsRetriedAloneAndEndsInTheDeadLetter() {
        String slug = Api.createTenant("deadro");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        Api.createApp(slug, Map.of("name", "worker", "image", "registry.example.com/t/worker:1"));
        StrategyTest.awaitRollout(slug, "web", "succeeded");
        StrategyTest.awaitRollout(slug, "worker", "succeeded");

        StrategyTest.release(slug, "web", "registry.example.com/t/web:never-ready", 202);
        StrategyTest.awaitRollout(slug, "web", "deploying");
        long broken = ((Number) rollout(slug, "web")[0]).longValue();
        // A rollout its step cannot handle: without a progress deadline, every step throws.
        sql("update rollout set deadline_at = null where id = :id", broken);
        await().atMost(Duration.ofSeconds(20)).until(() -> ((Number) rollout(slug, "web")[1]).intValue() >= 2);
        assertThat((String) rollout(slug, "web")[2]).startsWith("NullPointerException: ").contains("is null");

        // Meanwhile another rollout goes through.
        StrategyTest.release(slug, "worker", "registry.example.com/t/worker:2", 202);
        StrategyTest.awaitRollout(slug, "worker", "succeeded");
        assertThat(((Number) rollout(slug, "worker")[1]).intValue()).isZero();

        // The last allowed failure: the rollout goes to the dead letter and is left there, in its state.
        sql("update rollout set attempts = 19, next_run_at = now() where id = :id", broken);
        await().atMost(Duration.ofSeconds(20)).until(() -> rollout(slug, "web")[3] != null);
        Object[] dead = rollout(slug, "web");
        assertThat(((Number) dead[1]).intValue()).isEqualTo(20);
        assertThat(dead[4]).isEqualTo("deploying");
        sql("update rollout set next_run_at = now() where id = :id", broken);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> ((Number) rollout(slug, "web")[1]).intValue() == 20);

        json().delete("/api/v1/tenants/" + slug + "?confirm=" + slug).then().statusCode(204);
    }
}
