package dev.berth.releases;

import dev.berth.apps.App;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.placement.AppRegion;
import dev.berth.quotas.QuotaExceededException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;

/**
 * The release phase of a rollout: a release whose configuration has a release command starts its rollout in
 * {@link RolloutState#RELEASE_COMMAND}. The command runs once, as a Job in the app's primary region
 * ({@link ReleaseCommandRuns}, implemented by the processes feature); meanwhile the release takes no traffic: rolling and recreate apps keep every region on
 * the previous release (pinned, as a later wave is), blue/green and canary apps start the idle colour or canary,
 * which serves nothing until promoted or switched. Exit 0 opens the rollout (the first wave), anything else fails
 * it with the exit code and the command's last log lines, and the previous release keeps serving.
 */
@ApplicationScoped
public class ReleaseCommandStep {
    @Inject
    ReleaseCommandRuns commands;
    @Inject
    RolloutTransitions transitions;
    @Inject
    Event<DesiredStateChanged> changed;

    /** At the start of a new rollout (not persisted yet): the release phase, when the release has a command. */
    void begin(App a, Rollout ro, Release r) {
        if (r.config.releaseCommand() == null) {
            return;
        }
        // The first state of a new rollout, not a move: the row does not exist yet.
        ro.state = RolloutState.RELEASE_COMMAND;
        ro.reason = "running the release command: " + String.join(" ", r.config.releaseCommand());
        if (!RolloutStarts.twoTrack(ro.strategy) && ro.previousRelease != null) {
            AppRegion.listByApp(a.id).forEach(row -> {
                if (row.pinnedRelease == null) {
                    row.pinnedRelease = ro.previousRelease;
                }
            });
        }
    }

    /** One step of a rollout in the release phase: start the command, or act on its result. */
    void step(App a, String tenant, Rollout ro, Release r, AppDeploy deploy) {
        ReleaseCommandRuns.Result result = commands.ofRollout(ro.id);
        if (result == null) {
            try {
                commands.start(a, r, ro.id);
            } catch (QuotaExceededException e) {
                failed(a, tenant, ro, r, deploy, "the release command could not start: " + e.getMessage());
                return;
            }
            changed.fire(new DesiredStateChanged(tenant));
            return;
        }
        switch (result.outcome()) {
            case SUCCEEDED -> {
                unpinFirstWave(a, ro);
                ro.deadlineAt = Instant.now().plusSeconds(deploy.progressDeadlineSeconds);
                ro.move(RolloutState.DEPLOYING, "release command exited 0 in " + result.region() + "; rolling out"
                        + (ro.waves == null ? "" : " to wave 1 " + ro.waves.get(0)));
                changed.fire(new DesiredStateChanged(tenant));
            }
            case FAILED, LOST -> failed(a, tenant, ro, r, deploy, "release command " + result.describe());
            default -> {
                // Pending or running: the Job has its own deadline, after which the watcher records it failed.
                if (result.overdue(Instant.now())) {
                    failed(a, tenant, ro, r, deploy, "release command did not finish in " + result.region()
                            + " within its deadline (" + result.state() + (result.reason() == null ? ""
                                    : ": " + result.reason()) + ")");
                }
            }
        }
    }

    private void failed(App a, String tenant, Rollout ro, Release r, AppDeploy deploy, String reason) {
        transitions.fail(a, tenant, ro, r, deploy, reason);
        if (!RolloutStarts.twoTrack(ro.strategy) && ro.previousRelease != null) {
            // The previous release never stopped serving; it becomes the app's configuration again, so the
            // regions can be unpinned and the next change starts from what runs.
            Release previous = Release.find(a.id, ro.previousRelease);
            if (previous != null) {
                ReleaseService.restore(a, previous);
                deploy.liveRelease = previous.number;
                AppRegion.listByApp(a.id).forEach(row -> row.pinnedRelease = null);
            }
        }
    }

    /** The regions of the first wave (every region without waves) may run the release now. */
    private static void unpinFirstWave(App a, Rollout ro) {
        if (RolloutStarts.twoTrack(ro.strategy)) {
            return;
        }
        List<String> first = ro.waves == null ? null : ro.waves.get(0);
        for (AppRegion row : AppRegion.listByApp(a.id)) {
            dev.berth.regions.Region region = dev.berth.regions.Region.findById(row.regionId);
            if (first == null || (region != null && first.contains(region.name))) {
                row.pinnedRelease = null;
            }
        }
    }
}
