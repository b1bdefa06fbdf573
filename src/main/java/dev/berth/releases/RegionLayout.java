package dev.berth.releases;

/**
 * Which releases a blue/green or canary app's two Deployments run in one region, and which one serves: the live
 * colour (or stable track) with its release, and the idle colour's (or canary's) release and replicas. The app's
 * {@link AppDeploy} holds the layout of every region that follows the app; a region whose wave has not come yet,
 * or that a stopped rollout left behind, has its own.
 */
public record RegionLayout(String liveColor, Integer liveRelease, Integer idleRelease, int idleReplicas) {

    static RegionLayout of(AppDeploy d) {
        return new RegionLayout(d.liveColor, d.liveRelease, d.idleRelease, d.idleReplicas);
    }

    String idleColor() {
        return AppDeploy.BLUE.equals(liveColor) ? AppDeploy.GREEN : AppDeploy.BLUE;
    }

    /** True when one of the region's tracks runs release {@code n}. */
    boolean runs(int n) {
        return (liveRelease != null && liveRelease == n) || (idleRelease != null && idleRelease == n);
    }

    /** Canary: a canary Deployment runs beside the stable one. */
    boolean canaryRunning() {
        return idleRelease != null && idleReplicas > 0;
    }
}
