package dev.berth.apps;

import java.time.Instant;
import java.util.List;

/**
 * What an app looks like in one region right now, read from that region's watch caches: replica counts, pods,
 * conditions and recent events. {@code state} is the one status model of {@link AppHealth}: Running, Progressing,
 * Degraded, Failed, Stopped or Unknown; {@code reason} says why in a few words (what it waits for, the crash loop,
 * the cluster's reason such as {@code FailedCreate}), {@code message} carries the cluster's own words (the last
 * termination message, the refusing event's message) and {@code restarts} the pods' container restarts.
 */
public record AppStatus(String region, boolean simulated, String state, String url, int desired, int ready,
        int updated, List<PodInfo> pods, List<EventInfo> events, List<String> conditions, Instant unreachableSince,
        String reason, String message, int restarts) {

    public record PodInfo(String name, String phase, boolean ready, int restarts, Instant started) {
    }

    public record EventInfo(String type, String reason, String message, String object, Instant lastSeen, int count) {
    }

    public int readyPercent() {
        return desired == 0 ? 100 : Math.min(100, ready * 100 / desired);
    }
}
