package dev.berth.apps;

/**
 * An app's autoscaler as the API sets it: every field but {@code memoryPercent} is required.
 *
 * @param minReplicas the fewest pods the autoscaler keeps, 1 to 100
 * @param maxReplicas the most pods it may start, {@code minReplicas} to 100; the tenant's quota counts this many
 * @param cpuPercent the average CPU use it aims at, in percent of the pods' CPU request, 1 to 100
 * @param memoryPercent optional: the average memory use it aims at, in percent of the pods' memory request, 1 to 100
 */
public record AutoscalingRequest(Integer minReplicas, Integer maxReplicas, Integer cpuPercent, Integer memoryPercent) {
}
