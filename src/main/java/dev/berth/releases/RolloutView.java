package dev.berth.releases;

import dev.berth.releases.RolloutProgress.TrackProgress;
import java.time.Instant;
import java.util.List;

/**
 * An app's latest rollout and, live from the watch caches, every track it runs now: ready pods per colour (or
 * track) and region, and the problems that matter in plain words. {@code liveColor} is set for blue/green apps.
 */
public record RolloutView(int release, String strategy, String state, String target, String liveColor,
        String reason, Instant startedAt, Instant deadlineAt, Instant holdUntil, Instant finishedAt,
        List<TrackProgress> tracks) {

    public boolean inProgress() {
        return Rollout.ACTIVE.contains(state);
    }
}
