package dev.berth.apps;

import java.time.Instant;
import java.util.List;

/**
 * What an app looks like in one region right now, read from that region's watch caches: replica counts, pods,
 * conditions and recent events. {@code state} is one word for people: Running, Progressing, Degraded (crash loops,
 * pods the kubelet cannot start, or some pods refused by the cluster), Failed (the cluster refuses every pod, for
 * example a quota or LimitRange lowered below what the app asks; the server's message is among the conditions),
 * Stopped, Pending or Unknown (region unreachable or not yet synced).
 */
public record AppStatus(String region, boolean simulated, String state, String url, int desired, int ready,
        int updated, List<PodInfo> pods, List<EventInfo> events, List<String> conditions, Instant unreachableSince) {

    public record PodInfo(String name, String phase, boolean ready, int restarts, Instant started) {
    }

    public record EventInfo(String type, String reason, String message, String object, Instant lastSeen, int count) {
    }

    public int readyPercent() {
        return desired == 0 ? 100 : Math.min(100, ready * 100 / desired);
    }
}
