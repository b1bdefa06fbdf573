package dev.berth.releases;

import dev.berth.apps.App;
import dev.berth.placement.AppRegion;
import dev.berth.placement.Placement;
import dev.berth.placement.Waves;
import dev.berth.regions.Region;
import dev.berth.releases.RolloutProgress.TrackProgress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rolling and recreate releases of an app placed in several regions reach them in waves (by default the primary
 * region first, then the rest): regions of later waves are pinned to the release they run
 * ({@link AppRegion#pinnedRelease}) until their wave comes, so the reconcilers keep them as they are. A wave whose
 * regions are all ready opens the next one (or, with a pause, waits for promote); a wave that misses the progress
 * deadline fails the rollout and the later waves never start. A rollback reaches every region at once.
 */
@ApplicationScoped
public class RolloutWaves {
    @Inject
    EntityManager em;

    /** Freezes the waves of a new rollout and pins the regions of later waves; the caller holds the app's locks. */
    void begin(App a, Rollout ro, Release r) {
        List<AppRegion> rows = AppRegion.listByApp(a.id);
        Map<Long, String> names = names(rows);
        if (r.rollbackOf != null || rows.size() < 2) {
            // A rollback goes everywhere at once; one region needs no waves.
            rows.forEach(row -> row.pinnedRelease = null);
            return;
        }
        Placement p = Placement.findById(a.id);
        String primary = null;
        List<String> replicas = new ArrayList<>();
        for (AppRegion row : rows) {
            if (AppRegion.PRIMARY.equals(row.role)) {
                primary = names.get(row.regionId);
            } else {
                replicas.add(names.get(row.regionId));
            }
        }
        replicas.sort(null);
        List<List<String>> waves = Waves.of(p == null ? null : p.waves, primary, replicas);
        if (waves.size() < 2) {
            return;
        }
        ro.waves = waves;
        ro.wave = 0;
        for (AppRegion row : rows) {
            boolean first = waves.get(0).contains(names.get(row.regionId));
            if (first) {
                row.pinnedRelease = null;
            } else if (row.pinnedRelease == null && ro.previousRelease != null) {
                // A region already pinned (an earlier rollout stopped before reaching it) keeps what it runs.
                row.pinnedRelease = ro.previousRelease;
            }
        }
    }

    /** The progress of the wave in progress only (every region when the rollout has no waves). */
    List<TrackProgress> ofCurrentWave(Rollout ro, List<TrackProgress> all) {
        if (ro.waves == null) {
            return all;
        }
        List<String> wave = ro.waves.get(Math.min(ro.wave, ro.waves.size() - 1));
        return all.stream().filter(t -> wave.contains(t.region())).toList();
    }

    boolean hasNext(Rollout ro) {
        return ro.waves != null && ro.wave + 1 < ro.waves.size();
    }

    /** The wave is ready: opens the next one, or pauses first when the placement asks for it. */
    void waveReady(App a, Rollout ro, int progressDeadlineSeconds) {
        Placement p = Placement.findById(a.id);
        if (p != null && p.pauseBetweenWaves) {
            ro.move(RolloutState.WAVE_PAUSED, "wave " + (ro.wave + 1) + " of " + ro.waves.size() + " "
                    + ro.waves.get(ro.wave) + " ready; promote to roll out to " + ro.waves.get(ro.wave + 1));
            return;
        }
        next(a, ro, progressDeadlineSeconds);
    }

    /** Unpins the regions of the next wave; the progress deadline starts again for it. */
    void next(App a, Rollout ro, int progressDeadlineSeconds) {
        ro.wave++;
        List<String> wave = ro.waves.get(ro.wave);
        List<AppRegion> rows = AppRegion.listByApp(a.id);
        Map<Long, String> names = names(rows);
        rows.stream().filter(row -> wave.contains(names.get(row.regionId))).forEach(row -> row.pinnedRelease = null);
        ro.deadlineAt = Instant.now().plusSeconds(progressDeadlineSeconds);
        ro.move(RolloutState.DEPLOYING, "wave " + (ro.wave + 1) + " of " + ro.waves.size() + ": rolling out to "
                + wave);
    }

    /** Regions of the app still waiting for their wave, with the release they keep running. */
    public Map<String, Integer> pinned(long appId) {
        List<AppRegion> rows = AppRegion.listByApp(appId);
        Map<Long, String> names = names(rows);
        Map<String, Integer> pins = new HashMap<>();
        rows.stream().filter(r -> r.pinnedRelease != null).forEach(r -> pins.put(names.get(r.regionId), r.pinnedRelease));
        return pins;
    }

    private static Map<Long, String> names(List<AppRegion> rows) {
        Map<Long, String> names = new HashMap<>();
        for (AppRegion row : rows) {
            Region r = Region.findById(row.regionId);
            names.put(row.regionId, r == null ? "?" : r.name);
        }
        return names;
    }
}
