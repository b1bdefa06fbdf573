package dev.berth.quotas;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The quota service's hooks for rollouts, builds and region placement, called as the releases and builds
 * features call them: inside a transaction, refusing with the limit, use and request named.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class QuotaServiceTest {
    static final AppFootprint SMALL = new AppFootprint(2, 250, 500, 128L << 20, 256L << 20, false);

    @Inject
    QuotaService quota;

    /** A tenant with 2 CPU (requests and limits), 4Gi, 6 pods, 2 concurrent builds and 10 build minutes. */
    static long tenant(String prefix) {
        String slug = Api.uniqueSlug(prefix);
        json().body(Map.of("slug", slug, "cpu", "2", "memory", "4Gi", "pods", 6, "apps", 5, "overrides",
                Map.of("concurrentBuilds", 2, "buildMinutesPerMonth", 10, "replicasPerApp", 4)))
                .post("/api/v1/tenants").then().statusCode(201);
        return QuarkusTransaction.requiringNew().call(() -> Tenant.findBySlug(slug).id);
    }

    private void inTx(Runnable r) {
        QuarkusTransaction.requiringNew().run(r);
    }

    @Test
    void blueGreenNeedsRoomForBothColoursAndSaysSoWhenThereIsNone() {
        long t = tenant("bg");
        // 3 pods of 4 allowed for the app, 2 CPU limit: 3 x 500m = 1.5 in use.
        String slug = QuarkusTransaction.requiringNew().call(() -> Tenant.<Tenant>findById(t).slug);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 3,
                "resources", Map.of("cpuRequest", "250m", "cpuLimit", "500m", "memoryRequest", "128Mi",
                        "memoryLimit", "256Mi")));
        AppFootprint newColour = new AppFootprint(3, 250, 500, 128L << 20, 256L << 20, false);

        assertThatThrownBy(() -> inTx(() -> quota.checkRollout(t, "web", RolloutFootprint.blueGreen(newColour))))
                .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
                    assertThat(e.field()).isEqualTo("strategy");
                    assertThat(e.limit()).isEqualTo("cpuLimit");
                    assertThat(e.used()).isEqualTo("1500m");
                    assertThat(e.max()).isEqualTo("2");
                    assertThat(e.getMessage()).contains("cpuLimit is 2", "1500m in use", "1500m more (3 x 500m)",
                            "blue-green rollout");
                });

        // A canary of one replica fits (2 CPU limit: 1.5 + 0.5), and holds its room until the rollout finishes.
        inTx(() -> quota.checkRollout(t, "web", RolloutFootprint.canary(newColour, 1)));
        assertThat(quota.usage(t).pods()).isEqualTo(4);
        assertThatThrownBy(() -> inTx(() -> quota.checkRollout(t, "api", RolloutFootprint.canary(newColour, 1))))
                .isInstanceOfSatisfying(QuotaExceededException.class,
                        e -> assertThat(e.getMessage()).contains("canary rollout"));
        // Checking the same rollout again replaces its reservation instead of adding to it.
        inTx(() -> quota.checkRollout(t, "web", RolloutFootprint.canary(newColour, 1)));
        assertThat(quota.usage(t).pods()).isEqualTo(4);

        quota.rolloutFinished(t, "web");
        assertThat(quota.usage(t).pods()).isEqualTo(3);
        inTx(() -> quota.checkRollout(t, "api", RolloutFootprint.canary(newColour, 1)));
    }

    @Test
    void buildsAreLimitedByConcurrencyAndMonthlyMinutesWhateverTheirOutcome() {
        long t = tenant("builds");
        inTx(() -> quota.checkBuildStart(t, "b1"));
        inTx(() -> quota.checkBuildStart(t, "b2"));
        assertThatThrownBy(() -> inTx(() -> quota.checkBuildStart(t, "b3")))
                .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
                    assertThat(e.limit()).isEqualTo("concurrentBuilds");
                    assertThat(e.field()).isEqualTo("build");
                    assertThat(e.getMessage()).contains("concurrentBuilds is 2", "2 in use", "1 more running build");
                });
        // b1 failed after 4 min 10 s, b2 was cancelled after 3 min: both count.
        quota.buildFinished(t, "b1", Duration.ofSeconds(250));
        quota.buildFinished(t, "b2", Duration.ofMinutes(3));
        assertThat(quota.buildTimeThisMonth(t)).isEqualTo(Duration.ofSeconds(430));
        assertThat(quota.usage(t).buildMinutesThisMonth()).isEqualTo(8);
        inTx(() -> quota.checkBuildStart(t, "b3"));
        quota.buildFinished(t, "b3", Duration.ofSeconds(170));
        assertThat(quota.usage(t).buildMinutesThisMonth()).isEqualTo(10);

        assertThatThrownBy(() -> inTx(() -> quota.checkBuildStart(t, "b4")))
                .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
                    assertThat(e.limit()).isEqualTo("buildMinutesPerMonth");
                    assertThat(e.getMessage()).contains("buildMinutesPerMonth is 10 min", "10 min this month");
                });
        quota.recordBuildMinutes(t, Duration.ofSeconds(1));
        assertThat(quota.buildTimeThisMonth(t)).isEqualTo(Duration.ofSeconds(601));
    }

    @Test
    void checksRunOnlyInsideTheCallersTransaction() {
        long t = tenant("tx");
        assertThatThrownBy(() -> quota.checkBuildStart(t, "b1"))
                .isInstanceOf(jakarta.transaction.TransactionalException.class);
        assertThatThrownBy(() -> quota.checkAppCreate(t, SMALL))
                .isInstanceOf(jakarta.transaction.TransactionalException.class);
    }

    @Test
    void regionPlacementIsLimitedByThePlan() {
        long t = tenant("regions");
        inTx(() -> quota.checkRegions(t, List.of("local"), List.of("local", "east")));
        assertThatThrownBy(() -> inTx(() -> quota.checkRegions(t, List.of("local", "east"),
                List.of("local", "east", "west")))).isInstanceOfSatisfying(QuotaExceededException.class, e -> {
                    assertThat(e.limit()).isEqualTo("regions");
                    assertThat(e.getMessage()).contains("regions is 2", "2 in use", "1 more region(s)");
                });
        // Leaving a region is always allowed, even when over the limit.
        inTx(() -> quota.checkRegions(t, List.of("a", "b", "c"), List.of("a", "b")));
    }
}
