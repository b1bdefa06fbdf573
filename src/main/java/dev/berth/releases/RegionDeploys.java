package dev.berth.releases;

import dev.berth.placement.AppRegion;
import jakarta.enterprise.context.ApplicationScoped;

/** The layout of a blue/green or canary app in each of its regions, and whether a region waits for its wave. */
@ApplicationScoped
public class RegionDeploys {

    /** The layout the app's two Deployments have in one region. */
    RegionLayout layoutIn(AppDeploy deploy, long regionId) {
        RegionDeploy own = RegionDeploy.findById(key(deploy.appId, regionId));
        return own == null ? RegionLayout.of(deploy) : own.layout();
    }

    private static AppRegion.Key key(long appId, long regionId) {
        AppRegion.Key k = new AppRegion.Key();
        k.appId = appId;
        k.regionId = regionId;
        return k;
    }

    /**
     * True while the region waits for a later wave of the rollout in progress, or keeps an earlier release than the
     * app's because a rollout stopped before reaching it.
     */
    boolean pinned(AppDeploy deploy, Rollout ro, String region, RegionLayout layout) {
        if (ro == null || !ro.active() || ro.waves == null) {
            return deploy.liveRelease != null && layout.liveRelease() != null
                    && layout.liveRelease() < deploy.liveRelease;
        }
        for (int i = ro.wave + 1; i < ro.waves.size(); i++) {
            if (ro.waves.get(i).contains(region)) {
                return true;
            }
        }
        return false;
    }
}
