package dev.berth.apps;

import java.time.Instant;
import java.util.List;

/**
 * An app's autoscaler and disruption budgets as the API and the app page show them: the settings (null when the
 * app's replicas are fixed) and, per region, what the cluster reports.
 */
public record AutoscalingView(AutoscalingRequest autoscaler, int replicas, List<RegionScaling> regions) {

    /**
     * One region, read from its watch caches: the API versions it serves, the Deployment the autoscaler scales
     * with its replicas now ({@code deploymentReplicas}, as the autoscaler last set them, and {@code readyReplicas}),
     * the autoscaler's status ({@code currentReplicas}, {@code desiredReplicas}, {@code lastScaleTime} and its
     * conditions such as AbleToScale, ScalingActive and ScalingLimited, with their messages), and each disruption
     * budget's status. {@code note} says why something is missing (region not connected, API not served).
     */
    public record RegionScaling(String region, String autoscalingApi, String policyApi, String target,
            Integer deploymentReplicas, Integer readyReplicas, Integer currentReplicas, Integer desiredReplicas,
            Instant lastScaleTime, List<Condition> conditions, List<Budget> disruptionBudgets, String note) {
    }

    public record Condition(String type, String status, String reason, String message, Instant lastTransitionTime) {
    }

    /** A PodDisruptionBudget: its name (the Deployment's), what it allows and what the disruption controller counts. */
    public record Budget(String name, String maxUnavailable, Integer currentHealthy, Integer desiredHealthy,
            Integer expectedPods, Integer disruptionsAllowed) {
    }
}
