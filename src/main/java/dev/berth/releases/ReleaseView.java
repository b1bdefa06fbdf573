package dev.berth.releases;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A release as the API and pages show it. {@code config} holds the plain settings and, for secrets, only their
 * names; {@code configDiff} is the change against the previous release ("old -> new", secrets as "set",
 * "changed" or "removed"). {@code runningIn} says where its pods run right now, from the regions' watch caches.
 */
public record ReleaseView(int number, String image, Map<String, String> config, List<String> secretEnv,
        Map<String, Object> configDiff, CreatedBy createdBy, Integer rollbackOf, String status, String reason,
        Instant createdAt, Instant finishedAt, List<Placement> runningIn) {

    /** Pods of the release in one region and track ("web", "blue", "green", "stable", "canary"). */
    public record Placement(String region, String track, int ready, int total) {
    }

    static ReleaseView of(Release r, List<Placement> runningIn) {
        Map<String, String> flat = r.config.flat();
        return new ReleaseView(r.number, r.image, flat, List.copyOf(r.config.secretEnv().keySet()), r.configDiff,
                new CreatedBy(r.createdByKind, r.createdBy, r.source), r.rollbackOf, r.status, r.reason, r.createdAt,
                r.finishedAt, runningIn);
    }
}
