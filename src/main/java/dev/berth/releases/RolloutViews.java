package dev.berth.releases;

import dev.berth.apps.App;
import dev.berth.apps.AppLayout;
import dev.berth.releases.RolloutProgress.TrackProgress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Read side of rollouts for the API and pages: an app's latest rollout with live progress of every track it runs,
 * per region, and where a release's pods run. Reads PostgreSQL and the watch caches only.
 */
@ApplicationScoped
public class RolloutViews {
    @Inject
    RolloutProgress progress;
    @Inject
    RolloutWaves waves;
    @Inject
    RegionDeploys regionDeploys;

    /** Where a release's pods run right now, per region and track (from the watch caches). */
    List<ReleaseView.Placement> placements(Release r) {
        AppDeploy deploy = AppDeploy.findById(r.appId);
        if (deploy == null) {
            return List.of();
        }
        App a = App.findById(r.appId);
        String tenant = Rollouts.tenantSlug(a.tenantId);
        Set<String> labels = new LinkedHashSet<>();
        switch (deploy.strategy) {
            case AppDeploy.BLUE_GREEN -> labels.addAll(List.of(AppDeploy.BLUE, AppDeploy.GREEN));
            case AppDeploy.CANARY -> labels.addAll(List.of("stable", "canary"));
            default -> labels.add(null);
        }
        if (deploy.leavingStrategy != null) {
            labels.add(AppLayout.servingLabel(deploy.leavingStrategy, deploy.liveColor));
        }
        List<ReleaseView.Placement> found = new ArrayList<>();
        for (String label : labels) {
            for (TrackProgress t : progress.track(a.tenantId, tenant, a.name, deploy.strategy, label, r.number, 0)) {
                if (t.total() > 0) {
                    found.add(new ReleaseView.Placement(t.region(), t.track(), t.ready(), t.total()));
                }
            }
        }
        return found;
    }

    /** The app's latest rollout with live progress of its target track, or null when it never had one. */
    @Transactional
    public RolloutView current(long tenantId, String tenant, String app) {
        App a = ReleaseService.requireApp(tenantId, app);
        Rollout ro = Rollout.latest(a.id);
        if (ro == null) {
            return null;
        }
        AppDeploy deploy = AppDeploy.findById(a.id);
        Release r = Release.findById(ro.releaseId);
        List<TrackProgress> tracks = new ArrayList<>();
        if (deploy.twoTracks() && RegionDeploy.count("appId", a.id) > 0) {
            tracks.addAll(perRegion(a, tenant, deploy));
        } else if (AppDeploy.BLUE_GREEN.equals(deploy.strategy)) {
            tracks.addAll(colour(a, tenant, deploy, deploy.liveColor, deploy.liveRelease, a.replicas));
            if (deploy.idleRelease != null) {
                tracks.addAll(colour(a, tenant, deploy, deploy.idleColor(), deploy.idleRelease, deploy.idleReplicas));
            }
        } else if (AppDeploy.CANARY.equals(deploy.strategy)) {
            boolean canary = deploy.idleRelease != null && deploy.idleReplicas > 0;
            tracks.addAll(colour(a, tenant, deploy, "stable", deploy.liveRelease,
                    canary ? Math.max(1, a.replicas - deploy.idleReplicas) : a.replicas));
            if (canary) {
                tracks.addAll(colour(a, tenant, deploy, "canary", deploy.idleRelease, deploy.idleReplicas));
            }
        } else {
            tracks.addAll(colour(a, tenant, deploy, null, deploy.liveRelease, a.replicas));
        }
        if (deploy.leavingStrategy != null) {
            // A strategy change: the Deployment it replaces serves (or still runs) beside the new one.
            tracks.addAll(colour(a, tenant, deploy, AppLayout.servingLabel(deploy.leavingStrategy, deploy.liveColor),
                    deploy.liveRelease, a.replicas));
        }
        return new RolloutView(r.number, ro.strategy, ro.state.value(), ro.targetColor,
                AppDeploy.BLUE_GREEN.equals(deploy.strategy) ? deploy.liveColor : null, ro.reason, ro.createdAt,
                ro.deadlineAt, ro.holdUntil, ro.finishedAt, tracks, ro.waves, ro.waves == null ? null : ro.wave + 1,
                pinned(a, ro, deploy), ro.fromStrategy);
    }

    private List<TrackProgress> colour(App a, String tenant, AppDeploy deploy, String label, Integer release,
            int desired) {
        return release == null ? List.of()
                : progress.track(a.tenantId, tenant, a.name, deploy.strategy, label, release, desired);
    }

    /** The tracks of a blue/green or canary app whose regions differ, region by region (each its own layout). */
    private List<TrackProgress> perRegion(App a, String tenant, AppDeploy deploy) {
        List<TrackProgress> tracks = new ArrayList<>();
        boolean canary = AppDeploy.CANARY.equals(deploy.strategy);
        for (dev.berth.regions.Region r : RolloutProgress.regionsOf(a.tenantId, a.name)) {
            RegionLayout l = regionDeploys.layoutIn(deploy, r.id);
            int stable = canary && l.canaryRunning() ? Math.max(1, a.replicas - l.idleReplicas()) : a.replicas;
            if (l.liveRelease() != null) {
                tracks.add(progress.track(r.name, tenant, a.name, deploy.strategy, canary ? "stable" : l.liveColor(),
                        l.liveRelease(), stable));
            }
            if (l.idleRelease() != null && (!canary || l.canaryRunning())) {
                tracks.add(progress.track(r.name, tenant, a.name, deploy.strategy, canary ? "canary" : l.idleColor(),
                        l.idleRelease(), l.idleReplicas()));
            }
        }
        return tracks;
    }

    /**
     * Regions still waiting for their wave, with the release they keep: rolling and recreate pins, and for blue/green
     * and canary the regions of later waves of the rollout in progress.
     */
    private Map<String, Integer> pinned(App a, Rollout ro, AppDeploy deploy) {
        Map<String, Integer> pins = new java.util.HashMap<>(waves.pinned(a.id));
        if (ro.active() && WaveTracks.applies(ro)) {
            for (dev.berth.regions.Region r : RolloutProgress.regionsOf(a.tenantId, a.name)) {
                RegionLayout l = regionDeploys.layoutIn(deploy, r.id);
                if (regionDeploys.pinned(deploy, ro, r.name, l) && l.liveRelease() != null) {
                    pins.put(r.name, l.liveRelease());
                }
            }
        }
        return pins;
    }
}
