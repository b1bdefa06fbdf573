package dev.berth.releases;

import jakarta.enterprise.context.ApplicationScoped;

/** The layout of a blue/green or canary app in each of its regions, and whether a region waits for its wave. */
@ApplicationScoped
public class RegionDeploys {

    /** The layout the app's two Deployments have in one region. */
    RegionLayout layoutIn(AppDeploy deploy, long regionId) {
        return RegionLayout.of(deploy);
    }

    /** True while the region waits for a later wave of the rollout in progress. */
    boolean pinned(AppDeploy deploy, Rollout ro, String region, RegionLayout layout) {
        if (ro == null || !ro.active() || ro.waves == null) {
            return false;
        }
        for (int i = ro.wave + 1; i < ro.waves.size(); i++) {
            if (ro.waves.get(i).contains(region)) {
                return true;
            }
        }
        return false;
    }
}
