package dev.berth.metrics;

/** What one pod uses now, as the metrics API reports it (summed over its containers). */
public record PodUsage(String namespace, String pod, long cpuMillis, long memoryBytes) {
}
