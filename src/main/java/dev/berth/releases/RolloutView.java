package dev.berth.releases;

import dev.berth.releases.RolloutProgress.TrackProgress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An app's latest rollout and, live from the watch caches, every track it runs now: ready pods per colour (or
 * track) and region, and the problems that matter in plain words. {@code liveColor} is set for blue/green apps.
 * A rollout in waves names its {@code waves}, the {@code wave} in progress (1-based) and the regions still pinned to
 * the release they ran before ({@code pinnedRegions}, region to release). A strategy change names the strategy it
 * leaves ({@code fromStrategy}); its tracks are then the new strategy's and the one it replaces. {@code state} is a
 * {@link RolloutState}'s value, kept a string because the release panel compares it with literal state names.
 */
public record RolloutView(int release, String strategy,
        @Schema(implementation = RolloutState.class, type = SchemaType.STRING) String state, String target,
        String liveColor, String reason, Instant startedAt, Instant deadlineAt, Instant holdUntil, Instant finishedAt,
        List<TrackProgress> tracks, List<List<String>> waves, Integer wave, Map<String, Integer> pinnedRegions,
        String fromStrategy) {

    public boolean inProgress() {
        return RolloutState.of(state).active();
    }
}
