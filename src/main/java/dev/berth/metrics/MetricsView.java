package dev.berth.metrics;

import java.time.Instant;
import java.util.List;

/**
 * An app's CPU and memory use over [from, to), per region: what its pods used together ({@code cpuMillis},
 * {@code memoryBytes}, averaged over buckets of {@code bucketSeconds}) and how many pods were measured, next to what
 * each pod requests and may use at most (the app's settings now). {@code metricsApi} is the API the numbers come
 * from ({@code metrics.k8s.io/v1beta1}, or {@code simulated} in simulated regions); null with {@code note} "no
 * metrics API in this region" where the cluster serves none.
 */
public record MetricsView(String app, Instant from, Instant to, long bucketSeconds, List<RegionMetrics> regions) {

    public record RegionMetrics(String region, String metricsApi, String note, int cpuRequestMillis,
            int cpuLimitMillis, long memoryRequestBytes, long memoryLimitBytes, List<Point> points) {
    }

    /** One bucket: its start, the pods measured (average), and their summed CPU (millicores) and memory (bytes). */
    public record Point(Instant at, double pods, long cpuMillis, long memoryBytes) {
    }
}
