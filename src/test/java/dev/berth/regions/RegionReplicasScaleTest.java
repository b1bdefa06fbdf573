package dev.berth.regions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.apps.AppLayout;
import dev.berth.apps.AppSpec;
import dev.berth.placement.RegionReplicas;
import dev.berth.testsupport.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How an app's tracks scale to a region's own replica count. */
class RegionReplicasScaleTest {
    private static AppLayout canary(AppSpec app, int stable, int canary) {
        return new AppLayout(AppLayout.CANARY, "25%", "0", null, 20, List.of(
                new AppLayout.Track("stable", app, stable, 1), new AppLayout.Track("canary", app, canary, 2)));
    }

    @Test
    void theMainTrackRunsTheRegionsCountAndASecondTrackScalesInProportion() {
        AppSpec app = Fixtures.app(); // 2 replicas
        AppLayout scaled = RegionReplicas.scale(AppLayout.rolling(app), 2, 5);
        assertThat(scaled.tracks()).singleElement().satisfies(t -> {
            assertThat(t.replicas()).isEqualTo(5);
            assertThat(t.spec().replicas()).isEqualTo(5);
        });
        AppSpec four = RegionReplicas.withReplicas(app, 4);
        assertThat(RegionReplicas.scale(canary(four, 3, 1), 4, 8).tracks()).extracting(AppLayout.Track::replicas)
                .containsExactly(6, 2);
        assertThat(RegionReplicas.scale(canary(four, 3, 1), 4, 1).tracks()).extracting(AppLayout.Track::replicas)
                .as("a region with any replicas keeps at least one of each track").containsExactly(1, 1);
        assertThat(RegionReplicas.scale(canary(four, 3, 1), 4, 0).tracks()).extracting(AppLayout.Track::replicas)
                .containsExactly(0, 0);
    }

    @Test
    void aRegionWithTheAppsCountIsLeftAsItIs() {
        AppLayout layout = AppLayout.rolling(Fixtures.app());
        assertThat(RegionReplicas.scale(layout, 2, 2)).isSameAs(layout);
        assertThat(RegionReplicas.track(2, 2, 7)).isEqualTo(7);
        assertThat(RegionReplicas.track(0, 3, 0)).as("an app scaled to zero: the region's count").isEqualTo(3);
    }
}
