package dev.berth.apps;

import dev.berth.api.Validator;

/**
 * An app's autoscaler: the HorizontalPodAutoscaler Berth writes for the app's serving Deployment keeps between
 * {@code minReplicas} and {@code maxReplicas} pods, aiming at {@code cpuPercent} of the pods' CPU requests and,
 * when set, {@code memoryPercent} of their memory requests (the autoscaler takes the larger of the two counts).
 */
public record Autoscaler(int minReplicas, int maxReplicas, int cpuPercent, Integer memoryPercent) {
    /** The most replicas an autoscaler may reach: the same bound as a fixed replica count. */
    public static final int MAX_REPLICAS = AppRules.MAX_REPLICAS;

    /**
     * Checks a requested autoscaler, naming each field that is wrong; returns it when valid (null when the request
     * had errors, which {@code v} then holds).
     */
    static Autoscaler validate(Validator v, Integer min, Integer max, Integer cpu, Integer memory) {
        v.check(min != null, "minReplicas", "is required");
        v.check(max != null, "maxReplicas", "is required");
        v.check(cpu != null, "cpuPercent", "is required");
        if (min != null && (min < 1 || min > MAX_REPLICAS)) {
            v.add("minReplicas", "must be between 1 and " + MAX_REPLICAS);
        }
        if (max != null && (max < 1 || max > MAX_REPLICAS)) {
            v.add("maxReplicas", "must be between 1 and " + MAX_REPLICAS);
        } else if (max != null && min != null && min >= 1 && max < min) {
            v.add("maxReplicas", "must be at least minReplicas (" + min + ")");
        }
        if (cpu != null && (cpu < 1 || cpu > 100)) {
            v.add("cpuPercent", "must be a percentage of the CPU request between 1 and 100");
        }
        if (memory != null && (memory < 1 || memory > 100)) {
            v.add("memoryPercent", "must be a percentage of the memory request between 1 and 100");
        }
        return v.hasErrors() ? null : new Autoscaler(min, max, cpu, memory);
    }

    /** A fixed count brought within the autoscaler's bounds (what a new autoscaled Deployment starts with). */
    public int clamp(int replicas) {
        return Math.max(minReplicas, Math.min(maxReplicas, replicas));
    }
}
