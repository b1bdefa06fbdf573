package dev.berth.releases;

/**
 * Which releases a blue/green or canary app's two Deployments run in one region, and which one serves: the live
 * colour (or stable track) with its release, and the idle colour's (or canary's) release and replicas. The app's
 * {@link AppDeploy} holds the layout of every region that follows the app; a region whose wave has not come yet,
 * or that a stopped rollout left behind, has its own ({@link RegionDeploy}).
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

    /** The idle colour (or canary) starts release {@code n} with {@code replicas}; the live track keeps serving. */
    RegionLayout start(int n, int replicas) {
        return new RegionLayout(liveColor, liveRelease, n, replicas);
    }

    /**
     * Blue/green switch: the idle colour becomes live and the previous one is held with the app's replicas. Both
     * Deployments render as before, so in a cluster only the Service's selector changes.
     */
    RegionLayout switched(int appReplicas) {
        return new RegionLayout(idleColor(), idleRelease, liveRelease, appReplicas);
    }

    /** Canary promoted: the stable track runs the canary's release; the canary goes. */
    RegionLayout promoted() {
        return new RegionLayout(liveColor, idleRelease, null, 0);
    }

    /** The idle colour scales to zero (blue/green keeps its release for the next rollout); a canary goes. */
    RegionLayout stopped(boolean canary) {
        return new RegionLayout(liveColor, liveRelease, canary ? null : idleRelease, 0);
    }
}
