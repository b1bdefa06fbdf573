package dev.berth.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sandbox's simulated use: only running pods, within the limits, moving over time, repeatable. */
class SimulatedPodMetricsTest {
    private static Pod pod(String name, String phase) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("berth-acme").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withNewResources()
                .withRequests(Map.of("cpu", new Quantity("200m"), "memory", new Quantity("128Mi")))
                .withLimits(Map.of("cpu", new Quantity("250m"), "memory", new Quantity("256Mi"))).endResources()
                .endContainer().endSpec().withNewStatus().withPhase(phase).endStatus().build();
    }

    @Test
    void runningPodsGetPlausibleUseWithinTheirLimitsThatMovesOverTime() {
        Instant t = Instant.parse("2026-12-03T10:00:00Z");
        List<Pod> pods = List.of(pod("web-1", "Running"), pod("web-2", "Pending"));
        List<PodUsage> now = SimulatedPodMetrics.of(pods, t);
        assertThat(now).singleElement().satisfies(u -> {
            assertThat(u.pod()).isEqualTo("web-1");
            assertThat(u.cpuMillis()).isBetween(1L, 250L);
            assertThat(u.memoryBytes()).isBetween(64L << 20, 96L << 20);
        });
        assertThat(SimulatedPodMetrics.of(pods, t)).isEqualTo(now);
        long later = SimulatedPodMetrics.of(pods, t.plus(Duration.ofMinutes(3))).get(0).cpuMillis();
        assertThat(later).isNotEqualTo(now.get(0).cpuMillis());
    }
}
