package dev.berth.processes;

import dev.berth.apps.App;
import dev.berth.regions.Region;
import dev.berth.releases.Release;
import dev.berth.releases.ReleaseCommandRuns;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;

/**
 * The runs of release commands, for the rollout's release phase: one run per rollout, in the app's primary
 * region. Once, not once per region: a release command changes shared state (a database schema), which every
 * region's pods then use; running it in each wave would run a migration as many times as the app has regions.
 */
@ApplicationScoped
public class ReleaseCommands implements ReleaseCommandRuns {
    @Inject
    RunService runs;

    /** Starts the rollout's release command; throws the quota's refusal (naming {@code releaseCommand}). */
    @Override
    @Transactional(Transactional.TxType.MANDATORY)
    public long start(App a, Release r, long rolloutId) {
        Region region = RunService.region(a, null, "releaseCommand");
        return runs.record(a, region, r, Run.KIND_RELEASE, r.config.releaseCommand(), rolloutId,
                "release #" + r.number, "releaseCommand").id;
    }

    /** The rollout's release command run, or null when it has not started. */
    @Override
    @Transactional(Transactional.TxType.MANDATORY)
    public Result ofRollout(long rolloutId) {
        Run run = Run.find("rolloutId = ?1 order by id desc", rolloutId).firstResult();
        if (run == null) {
            return null;
        }
        Region region = Region.findById(run.regionId);
        return new Result(Outcome.valueOf(run.state.name()), run.state.value(), run.exitCode, run.reason, run.logTail,
                region == null ? "?" : region.name, run.createdAt.plusSeconds(ProcessManifests.RUN_DEADLINE_SECONDS)
                        .plus(Duration.ofMinutes(10)));
    }
}
