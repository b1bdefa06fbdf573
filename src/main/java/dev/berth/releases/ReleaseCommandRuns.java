package dev.berth.releases;

import dev.berth.apps.App;
import java.time.Instant;

/**
 * What a rollout's release phase ({@link ReleaseCommandStep}) needs of the runs of release commands. The processes
 * feature, which sits above releases (it runs Jobs from releases), implements it, so releases never depends on it.
 */
public interface ReleaseCommandRuns {
    /** Where a release command's run is. */
    enum Outcome {
        PENDING, RUNNING, SUCCEEDED, FAILED, LOST;

        public boolean finished() {
            return this == SUCCEEDED || this == FAILED || this == LOST;
        }
    }

    /**
     * The outcome of a rollout's release command as the rollout reads it. {@code overdueAt}: when a run that has not
     * finished is taken as lost (its Job has a deadline, but a region that never created it, unreachable or refusing
     * the Job, would otherwise hold the rollout for ever).
     */
    record Result(Outcome outcome, String state, Integer exitCode, String reason, String logTail, String region,
            Instant overdueAt) {
        public boolean overdue(Instant now) {
            return !outcome.finished() && now.isAfter(overdueAt);
        }

        /** "exited with code 3 in eu: <last lines>" and the like, for the rollout's reason. */
        public String describe() {
            String what = (reason == null ? state : reason) + " in " + region;
            return logTail == null || logTail.isBlank() ? what : what + "; last lines:\n" + logTail;
        }
    }

    /** Starts the rollout's release command; throws the quota's refusal (naming {@code releaseCommand}). */
    long start(App a, Release r, long rolloutId);

    /** The rollout's release command run, or null when it has not started. */
    Result ofRollout(long rolloutId);
}
