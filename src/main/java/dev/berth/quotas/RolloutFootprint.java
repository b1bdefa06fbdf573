package dev.berth.quotas;

/**
 * The footprint a rollout needs on top of what the app already holds, while it runs. Blue/green runs the new
 * colour beside the old one until the switch, so it needs the whole new colour again; a canary needs its extra
 * replicas at the new release's resources; a rolling update within the app's own replicas needs nothing extra
 * (surge pods are capped by the cluster quota and retried there). A change of strategy runs the new strategy's
 * serving Deployment in full beside the old one until the Service has moved to it.
 *
 * @param strategy "blue-green", "canary", "rolling" or "strategy change", for the refusal message and the
 *                 reservation
 * @param extra    the replicas and per-replica resources held in addition to the app's current ones
 */
public record RolloutFootprint(String strategy, AppFootprint extra) {

    /** Both colours at once: the new colour in full beside the current one. */
    public static RolloutFootprint blueGreen(AppFootprint newColour) {
        return new RolloutFootprint("blue-green", newColour);
    }

    /** A strategy change: the app's pods again, in the new strategy's serving Deployment, beside the current ones. */
    public static RolloutFootprint strategyChange(AppFootprint newDeployment) {
        return new RolloutFootprint("strategy change", newDeployment);
    }

    /** {@code canaryReplicas} replicas of the new release beside the app's current replicas. */
    public static RolloutFootprint canary(AppFootprint newRelease, int canaryReplicas) {
        return new RolloutFootprint("canary", newRelease.withReplicas(canaryReplicas));
    }
}
