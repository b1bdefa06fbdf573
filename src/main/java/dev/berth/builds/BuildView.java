package dev.berth.builds;

import dev.berth.builds.registry.PushedImages;
import java.time.Duration;
import java.time.Instant;

/** A build as the API and pages show it. */
public record BuildView(int number, String app, BuildState state, String trigger, String requestedBy, String ref,
        String requestedSha, Commit commit, String strategy, String detected, String image, String imageDigest,
        String failureReason, int attempts, Instant queuedAt, Instant startedAt, Instant finishedAt,
        Long durationSeconds) {
    public record Commit(String sha, String shortSha, String message, String author) {
    }

    static BuildView of(Build b, String app) {
        Commit commit = b.commitSha == null ? null
                : new Commit(b.commitSha, b.commitSha.substring(0, Math.min(12, b.commitSha.length())),
                        b.commitMessage, b.commitAuthor);
        Long duration = b.startedAt == null ? null
                : Duration.between(b.startedAt, b.finishedAt == null ? Instant.now() : b.finishedAt).toSeconds();
        String image = b.imageRef == null || b.imageDigest == null ? b.imageRef
                : PushedImages.digestRef(b.imageRef, b.imageDigest);
        return new BuildView(b.number, app, b.state, b.triggerKind, b.requestedBy, b.gitRef, b.requestedSha, commit,
                b.strategy, b.detected, image, b.imageDigest, b.failureReason, b.attempts, b.queuedAt, b.startedAt,
                b.finishedAt, duration);
    }


    public boolean finished() {
        return state.finished();
    }
}
