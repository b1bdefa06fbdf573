package dev.berth.releases;

import dev.berth.api.ApiException;
import dev.berth.apps.App;
import dev.berth.placement.AppRegion;
import dev.berth.placement.Placement;
import dev.berth.regions.Region;
import dev.berth.releases.RolloutProgress.TrackProgress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Blue/green and canary releases of an app placed in several regions, wave by wave. Each region's two Deployments
 * follow its own {@link RegionLayout} ({@link RegionDeploy} rows; the app's {@link AppDeploy} for regions that
 * follow it), so one wave can run the idle colour or canary while the next still runs only what it ran:
 *
 * <ul>
 * <li>blue/green: the wave's regions start the idle colour; once it is ready in all of them (the health gate) the
 * wave's Services switch (one write per region), right away with {@code autoPromote}, else on promote. Then the
 * next wave starts, or with {@code pauseBetweenWaves} waits for promote. After the last wave the previous colour
 * is held everywhere for the hold time, and a switch back returns every region that switched.</li>
 * <li>canary: the canary runs in the wave's regions only; promote makes it stable there and starts it in the next
 * wave, until the last wave's promote ends the rollout.</li>
 * </ul>
 *
 * A wave whose idle colour or canary misses the progress deadline fails the rollout: its regions keep serving the
 * live colour (the idle one scales to zero, the canary goes), regions of earlier waves stay on the new release
 * (as rolling waves do), later waves are never touched. Every step is one transaction on the rollout row, the
 * layouts and the releases; the reconcilers do the writes.
 */
@ApplicationScoped
public class WaveTracks {
    @Inject
    RolloutProgress progress;
    @Inject
    dev.berth.quotas.QuotaService quota;
    @Inject
    RolloutTransitions transitions;

    /** True for a blue/green or canary rollout that runs region by region (see {@link #begin}). */
    static boolean applies(Rollout ro) {
        return ro.waves != null && ro.previousRelease != null
                && (AppDeploy.BLUE_GREEN.equals(ro.strategy) || AppDeploy.CANARY.equals(ro.strategy));
    }

    /**
     * Starts a blue/green or canary rollout region by region when the app's placement has two waves or more, or
     * when its regions already differ (then a rollback, which reaches every region at once, runs as one wave).
     * Returns false when every region simply follows the app's layout (the caller starts it the usual way).
     */
    boolean begin(App a, Rollout ro, Release r, AppDeploy deploy, int idleReplicas) {
        Regions regions = Regions.of(a.id);
        boolean diverged = RegionDeploy.count("appId", a.id) > 0;
        List<List<String>> waves = r.rollbackOf != null || regions.names.size() < 2 ? List.of()
                : dev.berth.placement.Waves.of(placementWaves(a), regions.primary, regions.replicas());
        if (waves.size() < 2 && !diverged) {
            return false;
        }
        ro.waves = waves.size() < 2 ? List.of(List.copyOf(regions.names.keySet())) : waves;
        ro.wave = 0;
        Map<String, RegionDeploy> rows = materialize(a.id, deploy, regions);
        for (String region : ro.waves.get(0)) {
            RegionDeploy row = rows.get(region);
            if (row != null) {
                row.set(row.layout().start(r.number, idleReplicas));
            }
        }
        normalize(ro, deploy, rows);
        return true;
    }

    /** One engine step of a rollout in state deploying: the current wave's gate, or its deadline. */
    void advance(App a, String tenant, Rollout ro, Release r, AppDeploy deploy) {
        List<TrackProgress> p = waveProgress(a, tenant, ro, r, deploy);
        // A wave whose regions all left the placement meanwhile has nothing to wait for.
        if (p.stream().allMatch(TrackProgress::complete)) {
            if (AppDeploy.CANARY.equals(ro.strategy)) {
                ro.move(RolloutState.CANARY, "wave " + (ro.wave + 1) + " of " + ro.waves.size() + " " + currentWave(ro)
                        + ": canary ready with " + (p.isEmpty() ? 0 : p.get(0).desired()) + " replica(s) per region and "
                        + deploy.canaryWeight + "% ingress weight; promote or abort");
            } else if (deploy.autoPromote) {
                switchWave(a, ro, r, deploy, "switched automatically once ready");
            } else {
                ro.move(RolloutState.AWAITING_PROMOTE, "wave " + (ro.wave + 1) + " of " + ro.waves.size() + " "
                        + currentWave(ro) + ": " + ro.targetColor + " ready; promote to switch these regions");
            }
        } else if (Instant.now().isAfter(ro.deadlineAt)) {
            transitions.fail(a, tenant, ro, r, deploy, "wave " + (ro.wave + 1) + " of " + ro.waves.size() + " "
                    + currentWave(ro) + ": " + RolloutSteps.notReadyReason(ro, p)
                    + "; its regions keep serving release #" + ro.previousRelease
                    + (ro.wave + 1 < ro.waves.size() ? " and later waves were not started" : ""));
        }
    }

    /**
     * Promote, one step as the state says: {@code wave-paused} starts the next wave, {@code awaiting-promote}
     * switches the current wave, {@code canary} makes the canary stable in the current wave and starts it in the
     * next one (or ends the rollout). 409 while the current wave is still starting.
     */
    String promote(App a, String tenant, Rollout ro, Release r, AppDeploy deploy) {
        int wave = ro.wave + 1;
        switch (ro.state) {
            case WAVE_PAUSED -> {
                nextWave(a, ro, r, deploy);
                return "to wave " + (ro.wave + 1) + " " + currentWave(ro);
            }
            case AWAITING_PROMOTE -> {
                switchWave(a, ro, r, deploy, "promoted");
                return "switching wave " + wave;
            }
            case CANARY -> {
                Map<String, RegionDeploy> rows = materialize(a.id, deploy, Regions.of(a.id));
                for (String region : currentWave(ro)) {
                    RegionDeploy row = rows.get(region);
                    if (row != null && row.idleRelease != null && row.idleRelease == r.number) {
                        row.set(row.layout().promoted());
                    }
                }
                if (ro.wave + 1 < ro.waves.size()) {
                    normalize(ro, deploy, rows);
                    nextWave(a, ro, r, deploy);
                } else {
                    normalize(ro, deploy, rows);
                    transitions.releaseQuota(ro);
                    ro.move(RolloutState.SUCCEEDED, "canary promoted in every wave; stable runs release #" + r.number);
                    transitions.supersede(a, ro);
                    RolloutTransitions.finish(r, ReleaseStatus.LIVE, null);
                }
                return "canary of wave " + wave;
            }
            default -> throw ApiException.conflict("release", "release #" + r.number + " is not ready yet in wave "
                    + wave + ": " + RolloutSteps.summary(waveProgress(a, tenant, ro, r, deploy))
                    + "; promote when it is");
        }
    }

    /** Switches the current wave's regions to the new colour; then the next wave, a pause, or the hold. */
    private void switchWave(App a, Rollout ro, Release r, AppDeploy deploy, String why) {
        Map<String, RegionDeploy> rows = materialize(a.id, deploy, Regions.of(a.id));
        for (String region : currentWave(ro)) {
            RegionDeploy row = rows.get(region);
            if (row != null && row.idleRelease != null && row.idleRelease == r.number) {
                row.set(row.layout().switched(a.replicas));
            }
        }
        normalize(ro, deploy, rows);
        if (ro.wave + 1 < ro.waves.size()) {
            Placement p = Placement.findById(a.id);
            if (p != null && p.pauseBetweenWaves) {
                ro.move(RolloutState.WAVE_PAUSED, "wave " + (ro.wave + 1) + " of " + ro.waves.size() + " "
                        + currentWave(ro) + " switched to " + ro.targetColor + " (" + why + "); promote to start "
                        + ro.waves.get(ro.wave + 1));
            } else {
                nextWave(a, ro, r, deploy);
            }
            return;
        }
        ro.holdUntil = Instant.now().plusSeconds(deploy.holdSeconds);
        ro.nextRunAt = ro.holdUntil;
        ro.move(RolloutState.HOLDING, "every wave switched (" + why + "); the previous colour is kept until "
                + ro.holdUntil + " for switch back");
        transitions.supersede(a, ro);
        RolloutTransitions.finish(r, ReleaseStatus.LIVE, null);
    }

    /** The next wave's regions start the idle colour or canary; the progress deadline starts again. */
    private void nextWave(App a, Rollout ro, Release r, AppDeploy deploy) {
        ro.wave++;
        int replicas = AppDeploy.CANARY.equals(ro.strategy)
                ? RolloutStarts.canaryReplicas(a.replicas, deploy.canaryWeight) : a.replicas;
        Map<String, RegionDeploy> rows = materialize(a.id, deploy, Regions.of(a.id));
        for (String region : currentWave(ro)) {
            RegionDeploy row = rows.get(region);
            if (row != null) {
                row.set(row.layout().start(r.number, replicas));
            }
        }
        normalize(ro, deploy, rows);
        ro.deadlineAt = Instant.now().plusSeconds(deploy.progressDeadlineSeconds);
        ro.move(RolloutState.DEPLOYING, "wave " + (ro.wave + 1) + " of " + ro.waves.size() + ": starting "
                + ro.targetColor + " in " + currentWave(ro));
    }

    /**
     * After a failed or aborted rollout: the current wave's idle colour scales to zero (its canary goes), and the
     * colours held in regions that switched earlier scale to zero too; those regions stay on the new release.
     */
    void stop(App a, Rollout ro, AppDeploy deploy) {
        boolean canary = AppDeploy.CANARY.equals(ro.strategy);
        Map<String, RegionDeploy> rows = materialize(a.id, deploy, Regions.of(a.id));
        rows.values().forEach(row -> row.set(row.layout().stopped(canary)));
        normalize(ro, deploy, rows);
    }

    /** The hold is over (or cut short): every region's idle colour scales to zero. */
    void endHold(App a, Rollout ro, AppDeploy deploy) {
        Map<String, RegionDeploy> rows = materialize(a.id, deploy, Regions.of(a.id));
        rows.values().forEach(row -> row.set(row.layout().stopped(false)));
        normalize(ro, deploy, rows);
    }

    /**
     * Switch back: every region that switched to the new release goes back to its previous colour (one Service
     * write each); regions still starting the new colour stop it when the hold ends right after. Returns the
     * regions switched back.
     */
    List<String> switchBack(App a, Rollout ro, Release r, AppDeploy deploy) {
        Map<String, RegionDeploy> rows = materialize(a.id, deploy, Regions.of(a.id));
        List<String> back = new ArrayList<>();
        rows.forEach((region, row) -> {
            if (row.liveRelease != null && row.liveRelease == r.number && row.idleRelease != null
                    && row.idleReplicas > 0) {
                row.set(row.layout().switched(a.replicas));
                back.add(region);
            }
        });
        normalize(ro, deploy, rows);
        return back;
    }

    /** True when some region serves release {@code n} with its previous colour still held (switch back possible). */
    static boolean switchedSomewhere(long appId, AppDeploy deploy, int n) {
        Map<Long, RegionLayout> own = new HashMap<>();
        RegionDeploy.<RegionDeploy>listByApp(appId).forEach(row -> own.put(row.regionId, row.layout()));
        return Regions.of(appId).names.values().stream().map(id -> own.getOrDefault(id, RegionLayout.of(deploy)))
                .anyMatch(l -> l.liveRelease() != null && l.liveRelease() == n && l.idleReplicas() > 0);
    }

    /** Progress of the new release's track in each region of the current wave, from the watch caches. */
    List<TrackProgress> waveProgress(App a, String tenant, Rollout ro, Release r, AppDeploy deploy) {
        Regions regions = Regions.of(a.id);
        Map<Long, RegionLayout> own = new HashMap<>();
        RegionDeploy.<RegionDeploy>listByApp(a.id).forEach(row -> own.put(row.regionId, row.layout()));
        List<TrackProgress> out = new ArrayList<>();
        for (String region : currentWave(ro)) {
            Long id = regions.names.get(region);
            if (id == null) {
                continue;
            }
            RegionLayout l = own.getOrDefault(id, RegionLayout.of(deploy));
            String label = AppDeploy.CANARY.equals(ro.strategy) ? "canary" : l.idleColor();
            out.add(progress.track(region, tenant, a.name, ro.strategy, label, r.number, l.idleReplicas()));
        }
        return out;
    }

    static List<String> currentWave(Rollout ro) {
        return ro.waves.get(Math.min(ro.wave, ro.waves.size() - 1));
    }

    private static List<List<String>> placementWaves(App a) {
        Placement p = Placement.findById(a.id);
        return p == null ? null : p.waves;
    }

    /** A row per region of the app (a copy of the app's layout where it has none), by region name. */
    private static Map<String, RegionDeploy> materialize(long appId, AppDeploy deploy, Regions regions) {
        Map<Long, RegionDeploy> byId = new HashMap<>();
        RegionDeploy.<RegionDeploy>listByApp(appId).forEach(row -> byId.put(row.regionId, row));
        Map<String, RegionDeploy> rows = new LinkedHashMap<>();
        regions.names.forEach((name, id) -> {
            RegionDeploy row = byId.get(id);
            if (row == null) {
                row = new RegionDeploy();
                row.appId = appId;
                row.regionId = id;
                row.set(RegionLayout.of(deploy));
                row.persist();
            }
            rows.put(name, row);
        });
        return rows;
    }

    /**
     * The app's layout becomes that of the first region of the first wave (the one furthest along), and rows equal
     * to it are removed: those regions follow the app again and render exactly as before.
     */
    private static void normalize(Rollout ro, AppDeploy deploy, Map<String, RegionDeploy> rows) {
        RegionDeploy first = rows.get(ro.waves.get(0).get(0));
        if (first == null && !rows.isEmpty()) {
            first = rows.values().iterator().next();
        }
        if (first == null) {
            return;
        }
        RegionLayout canonical = first.layout();
        deploy.liveColor = canonical.liveColor();
        deploy.liveRelease = canonical.liveRelease();
        deploy.idleRelease = canonical.idleRelease();
        deploy.idleReplicas = canonical.idleReplicas();
        for (RegionDeploy row : rows.values()) {
            if (row.layout().equals(canonical)) {
                row.delete();
            }
        }
    }

    /** The app's regions by name (primary first in {@code primary}) with their ids. */
    record Regions(Map<String, Long> names, String primary) {
        static Regions of(long appId) {
            Map<String, Long> names = new java.util.TreeMap<>();
            String primary = null;
            for (AppRegion row : AppRegion.listByApp(appId)) {
                Region region = Region.findById(row.regionId);
                if (region != null) {
                    names.put(region.name, row.regionId);
                    if (AppRegion.PRIMARY.equals(row.role)) {
                        primary = region.name;
                    }
                }
            }
            return new Regions(names, primary);
        }

        List<String> replicas() {
            return names.keySet().stream().filter(n -> !n.equals(primary)).toList();
        }
    }
}
