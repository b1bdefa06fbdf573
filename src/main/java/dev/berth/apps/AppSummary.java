package dev.berth.apps;

import java.time.Instant;
import java.util.List;

/**
 * An app as lists show it (the app list API and the dashboard): enough to find it and see whether it runs in each
 * region. The full configuration, pods and events are in {@link AppView}, served per app.
 */
public record AppSummary(String name, String image, int replicas, String customDomain, List<String> urls,
        List<RegionState> status, Instant updatedAt) {

    /**
     * The app's state in one region (the same {@link AppHealth} model as {@link AppStatus#state()}, with its
     * {@code reason}, {@code message} and {@code restarts}) and its URL there.
     */
    public record RegionState(String region, boolean simulated, String state, String url, Instant unreachableSince,
            String reason, String message, int restarts) {
    }
}
