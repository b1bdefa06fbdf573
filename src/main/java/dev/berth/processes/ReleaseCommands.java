package dev.berth.processes;

import dev.berth.apps.App;
import dev.berth.regions.Region;
import dev.berth.releases.Release;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * The runs of release commands, for the rollout's release phase: one run per rollout, in the app's primary
 * region. Once, not once per region: a release command changes shared state (a database schema), which every
 * region's pods then use; running it in each wave would run a migration as many times as the app has regions.
 */
@ApplicationScoped
public class ReleaseCommands {
    @Inject
    RunService runs;

    /** The outcome of a rollout's release command as the rollout reads it. */
    public record Result(RunState state, Integer exitCode, String reason, String logTail, String region,
            java.time.Instant createdAt) {
        /**
         * True when the run should have ended long ago: its Job has a deadline, but a region that never created it
         * (unreachable, or refusing the Job) would otherwise hold the rollout for ever.
         */
        public boolean overdue(java.time.Instant now) {
            return !state.finished() && now.isAfter(createdAt.plusSeconds(ProcessManifests.RUN_DEADLINE_SECONDS)
                    .plus(java.time.Duration.ofMinutes(10)));
        }

        /** "exited with code 3 in eu: <last lines>" and the like, for the rollout's reason. */
        public String describe() {
            String what = (reason == null ? state.value() : reason) + " in " + region;
            return logTail == null || logTail.isBlank() ? what : what + "; last lines:\n" + logTail;
        }
    }

    /** Starts the rollout's release command; throws the quota's refusal (naming {@code releaseCommand}). */
    @Transactional(Transactional.TxType.MANDATORY)
    public long start(App a, Release r, long rolloutId) {
        Region region = RunService.region(a, null, "releaseCommand");
        return runs.record(a, region, r, Run.KIND_RELEASE, r.config.releaseCommand(), rolloutId,
                "release #" + r.number, "releaseCommand").id;
    }

    /** The rollout's release command run, or null when it has not started. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Result ofRollout(long rolloutId) {
        Run run = Run.find("rolloutId = ?1 order by id desc", rolloutId).firstResult();
        if (run == null) {
            return null;
        }
        Region region = Region.findById(run.regionId);
        return new Result(run.state, run.exitCode, run.reason, run.logTail, region == null ? "?" : region.name,
                run.createdAt);
    }
}
