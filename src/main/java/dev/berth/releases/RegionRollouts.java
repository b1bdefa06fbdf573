package dev.berth.releases;

import dev.berth.apps.App;
import dev.berth.placement.AppRegion;
import dev.berth.regions.Region;
import dev.berth.releases.RegionRolloutView.RegionRow;
import dev.berth.releases.RegionRolloutView.Wave;
import dev.berth.releases.RolloutProgress.TrackProgress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds {@link RegionRolloutView}: per region of an app, the release it serves, whether it waits for a later wave,
 * its live colour or canary weight, the progress of the release in flight and the app's health there. Everything
 * comes from PostgreSQL (rollout, deploy layout per region, placement, region health) and the regions' watch
 * caches ({@link RolloutProgress}), so a page view never calls a cluster.
 */
@ApplicationScoped
public class RegionRollouts {
    @Inject
    RolloutProgress progress;
    @Inject
    RegionDeploys regionDeploys;

    @Transactional
    public RegionRolloutView view(long tenantId, String tenant, String app) {
        App a = ReleaseService.requireApp(tenantId, app);
        AppDeploy deploy = AppDeploy.findById(a.id);
        Rollout ro = Rollout.latest(a.id);
        List<AppRegion> rows = new ArrayList<>(AppRegion.listByApp(a.id));
        Map<Long, Region> regions = new HashMap<>();
        rows.forEach(r -> regions.put(r.regionId, Region.findById(r.regionId)));
        rows.removeIf(r -> regions.get(r.regionId) == null);
        // The primary first, then the replicas by name.
        rows.sort(Comparator.comparing((AppRegion r) -> !AppRegion.PRIMARY.equals(r.role))
                .thenComparing(r -> regions.get(r.regionId).name));
        Release target = ro == null ? null : Release.findById(ro.releaseId);
        Map<Integer, Release> releases = new HashMap<>();
        List<RegionRow> out = new ArrayList<>();
        for (AppRegion row : rows) {
            out.add(row(a, tenant, deploy, row, regions.get(row.regionId), ro, target, releases));
        }
        return new RegionRolloutView(deploy == null ? AppDeploy.ROLLING : deploy.strategy,
                target == null ? null : target.number, ro == null ? null : ro.state, ro == null ? null : ro.reason,
                waves(ro), out);
    }

    private RegionRow row(App a, String tenant, AppDeploy deploy, AppRegion row, Region region, Rollout ro,
            Release target, Map<Integer, Release> releases) {
        String strategy = deploy == null ? AppDeploy.ROLLING : deploy.strategy;
        RegionLayout layout = deploy == null ? new RegionLayout(AppDeploy.BLUE, null, null, 0)
                : regionDeploys.layoutIn(deploy, row.regionId);
        Integer serving;
        String servingLabel;
        int servingDesired = a.replicas;
        boolean pinned;
        String liveColor = null;
        Integer weight = null;
        String targetLabel = null;
        int targetDesired = 0;
        switch (strategy) {
            case AppDeploy.BLUE_GREEN -> {
                serving = layout.liveRelease();
                servingLabel = layout.liveColor();
                liveColor = layout.liveColor();
                pinned = regionDeploys.pinned(deploy, ro, region.name, layout);
                if (target != null && layout.runs(target.number)) {
                    targetLabel = target.number == (serving == null ? -1 : serving) ? layout.liveColor()
                            : layout.idleColor();
                    targetDesired = target.number == (serving == null ? -1 : serving) ? a.replicas
                            : layout.idleReplicas();
                }
            }
            case AppDeploy.CANARY -> {
                serving = layout.liveRelease();
                servingLabel = "stable";
                boolean canary = layout.canaryRunning();
                servingDesired = canary ? Math.max(1, a.replicas - layout.idleReplicas()) : a.replicas;
                weight = canary ? deploy.canaryWeight : null;
                pinned = regionDeploys.pinned(deploy, ro, region.name, layout);
                if (target != null && canary && target.number == layout.idleRelease()) {
                    targetLabel = "canary";
                    targetDesired = layout.idleReplicas();
                } else if (target != null && serving != null && target.number == serving) {
                    targetLabel = "stable";
                    targetDesired = servingDesired;
                }
            }
            default -> {
                pinned = row.pinnedRelease != null;
                serving = pinned ? row.pinnedRelease : deploy == null ? null : deploy.liveRelease;
                servingLabel = null;
                if (target != null && serving != null && target.number == serving) {
                    targetDesired = a.replicas;
                }
            }
        }
        Release running = serving == null ? null : releases.computeIfAbsent(serving, n -> Release.find(a.id, n));
        TrackProgress app = serving == null ? null
                : progress.track(region.name, tenant, a.name, strategy, servingLabel, serving, servingDesired);
        Integer targetNumber = null;
        int targetReady = 0;
        if (target != null && targetDesired > 0) {
            targetNumber = target.number;
            targetReady = serving != null && target.number == serving && app != null ? app.ready()
                    : progress.track(region.name, tenant, a.name, strategy, targetLabel, target.number, targetDesired)
                            .ready();
        }
        return new RegionRow(region.name, row.role, serving, running == null ? null : ImageRefs.shortRef(running.image),
                pinned, liveColor, weight, targetNumber, targetReady, targetDesired, region.health().reachable(),
                app == null ? 0 : app.ready(), servingDesired, app != null && app.known());
    }

    /** The latest rollout's waves with the one in progress (or the one that stopped it) marked. */
    static List<Wave> waves(Rollout ro) {
        List<Wave> waves = new ArrayList<>();
        if (ro == null || ro.waves == null) {
            return waves;
        }
        for (int i = 0; i < ro.waves.size(); i++) {
            waves.add(new Wave(i + 1, ro.waves.get(i), WaveState.of(ro.state, ro.wave, i)));
        }
        return waves;
    }
}
