package dev.berth.releases;

import dev.berth.api.ApiException;
import dev.berth.apps.App;
import dev.berth.audit.AuditLog;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.releases.Rollouts.Action;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;

/**
 * What people and CI do to a rollout in flight: promote (switch a blue/green release, make a canary stable, start
 * the next wave), abort (before the new release takes all traffic) and switch back (within the hold after a
 * blue/green switch). Each locks the app's {@link AppDeploy} and then its active rollout, does exactly the step the
 * rollout's state names, and records it in the audit log, in the request's transaction.
 */
@ApplicationScoped
public class RolloutActions {
    @Inject
    RolloutWaves waves;
    @Inject
    WaveTracks waveTracks;
    @Inject
    StrategyChanges strategyChanges;
    @Inject
    RolloutSteps steps;
    @Inject
    RolloutTransitions transitions;
    @Inject
    AuditLog audit;
    @Inject
    Event<DesiredStateChanged> changed;

    /** See {@link Rollouts#promote}. */
    Action promote(long tenantId, String tenant, String app) {
        App a = ReleaseService.requireApp(tenantId, app);
        AppDeploy deploy = AppDeploy.lock(a.id);
        Rollout ro = Rollout.lockActive(a.id);
        if (ro == null || ro.state == RolloutState.HOLDING || ro.fromStrategy != null) {
            // A strategy change goes on by itself once its new Deployment is ready; nothing waits for a promote.
            return Action.NOTHING_TO_DO;
        }
        Release r = Release.findById(ro.releaseId);
        if (ro.state == RolloutState.RELEASE_COMMAND) {
            throw ApiException.conflict("release", "release #" + r.number + " is running its release command; it "
                    + "rolls out when the command exits 0");
        }
        if (WaveTracks.applies(ro)) {
            String what = waveTracks.promote(a, tenant, ro, r, deploy);
            changed.fire(new DesiredStateChanged(tenant));
            audit.record(tenantId, tenant, a.name, "release.promote", "promoted release #" + r.number + " of " + a.name
                    + ": " + what, null);
            return Action.STARTED;
        }
        if (ro.state == RolloutState.WAVE_PAUSED) {
            waves.next(a, ro, deploy.progressDeadlineSeconds);
            changed.fire(new DesiredStateChanged(tenant));
            audit.record(tenantId, tenant, a.name, "release.promote", "promoted release #" + r.number + " of " + a.name
                    + " to wave " + (ro.wave + 1) + " " + ro.waves.get(ro.wave), null);
            return Action.STARTED;
        }
        if (ro.state == RolloutState.DEPLOYING) {
            if (!RolloutStarts.twoTrack(ro.strategy)) {
                return Action.NOTHING_TO_DO;
            }
            throw ApiException.conflict("release", "release #" + r.number + " is not ready yet: "
                    + RolloutSteps.summary(steps.targetProgress(a, tenant, ro, r, deploy)) + "; promote when it is");
        }
        if (ro.state == RolloutState.AWAITING_PROMOTE) {
            transitions.switchColour(a, tenant, ro, r, deploy, "promoted");
        } else {
            deploy.liveRelease = r.number;
            deploy.idleRelease = null;
            deploy.idleReplicas = 0;
            transitions.releaseQuota(ro);
            ro.move(RolloutState.SUCCEEDED, "canary promoted; stable rolls to release #" + r.number);
            transitions.supersede(a, ro);
            RolloutTransitions.finish(r, ReleaseStatus.LIVE, null);
            changed.fire(new DesiredStateChanged(tenant));
        }
        audit.record(tenantId, tenant, a.name, "release.promote", "promoted release #" + r.number + " of " + a.name,
                null);
        return Action.STARTED;
    }

    /** See {@link Rollouts#abort}. */
    Action abort(long tenantId, String tenant, String app) {
        App a = ReleaseService.requireApp(tenantId, app);
        AppDeploy deploy = AppDeploy.lock(a.id);
        Rollout ro = Rollout.lockActive(a.id);
        if (ro == null || ro.state == RolloutState.HOLDING) {
            return Action.NOTHING_TO_DO;
        }
        if (ro.fromStrategy != null) {
            Action done = strategyChanges.abort(a, tenant, ro, deploy);
            audit.record(tenantId, tenant, a.name, "release.abort", "aborted the change of " + a.name
                    + "'s strategy to " + ro.strategy, null);
            return done;
        }
        if (!RolloutStarts.twoTrack(ro.strategy) || ro.previousRelease == null) {
            throw ApiException.conflict("release", "a " + ro.strategy + " rollout cannot be aborted half-way; "
                    + "roll back to the previous release instead");
        }
        Release r = Release.findById(ro.releaseId);
        boolean paused = ro.state == RolloutState.WAVE_PAUSED;
        boolean partly = WaveTracks.applies(ro) && (ro.wave > 0 || paused);
        int at = ro.wave + (paused ? 2 : 1);
        String why = partly ? "aborted in wave " + at + " of " + ro.waves.size() + "; regions of the waves before "
                + "keep release #" + r.number + ", the others keep release #" + ro.previousRelease
                : "aborted before it took traffic";
        ro.move(RolloutState.ABORTED, partly ? why : "aborted");
        RolloutTransitions.finish(r, ReleaseStatus.ABORTED, why);
        transitions.stopTrack(a, ro, deploy);
        changed.fire(new DesiredStateChanged(tenant));
        audit.record(tenantId, tenant, a.name, "release.abort", "aborted release #" + r.number + " of " + a.name, null);
        return Action.STARTED;
    }

    /** See {@link Rollouts#switchBack}. */
    Action switchBack(long tenantId, String tenant, String app) {
        App a = ReleaseService.requireApp(tenantId, app);
        AppDeploy deploy = AppDeploy.lock(a.id);
        Rollout ro = Rollout.lockActive(a.id);
        if (ro != null && WaveTracks.applies(ro) && AppDeploy.BLUE_GREEN.equals(ro.strategy)) {
            return switchBackWaves(a, tenant, ro, deploy);
        }
        if (ro == null || ro.state != RolloutState.HOLDING) {
            Rollout last = Rollout.latest(a.id);
            if (last != null && last.state == RolloutState.SWITCHED_BACK) {
                return Action.NOTHING_TO_DO;
            }
            throw ApiException.conflict("release", "there is no previous colour to switch back to (no blue/green "
                    + "switch within its hold time); roll back to an earlier release instead");
        }
        Release r = Release.findById(ro.releaseId);
        if (deploy.liveRelease == null || deploy.liveRelease != r.number) {
            return Action.NOTHING_TO_DO;
        }
        Release prev = Release.find(a.id, ro.previousRelease);
        deploy.liveColor = ro.previousColor;
        deploy.liveRelease = ro.previousRelease;
        deploy.idleRelease = r.number;
        RolloutTransitions.finish(r, ReleaseStatus.ROLLED_BACK, "switched back to release #" + ro.previousRelease);
        if (prev != null) {
            RolloutTransitions.finish(prev, ReleaseStatus.LIVE, null);
            ReleaseService.restore(a, prev);
        }
        // The hold ends at once: the engine's next step scales the abandoned colour to zero, a separate write. The
        // state stays holding until then; only the reason changes.
        ro.holdUntil = Instant.now();
        ro.nextRunAt = ro.holdUntil;
        ro.reason = "switched back to " + ro.previousColor;
        changed.fire(new DesiredStateChanged(tenant));
        audit.record(tenantId, tenant, a.name, "release.switch-back", "switched " + a.name + " back to release #"
                + ro.previousRelease, null);
        return Action.STARTED;
    }

    /**
     * Switch back of a blue/green rollout in waves, during its waves or its hold: every region that switched returns
     * to its previous colour (one Service write each); the hold ends at once, so the engine's next step scales the
     * new colour to zero everywhere (also in a wave that was still starting it).
     */
    private Action switchBackWaves(App a, String tenant, Rollout ro, AppDeploy deploy) {
        Release r = Release.findById(ro.releaseId);
        if (!WaveTracks.switchedSomewhere(a.id, deploy, r.number)) {
            if (ro.state == RolloutState.HOLDING) {
                return Action.NOTHING_TO_DO;
            }
            throw ApiException.conflict("release", "no region has switched to release #" + r.number
                    + " yet; abort the rollout instead");
        }
        List<String> back = waveTracks.switchBack(a, ro, r, deploy);
        Release prev = Release.find(a.id, ro.previousRelease);
        RolloutTransitions.finish(r, ReleaseStatus.ROLLED_BACK, "switched back to release #" + ro.previousRelease
                + " in " + back);
        if (prev != null) {
            RolloutTransitions.finish(prev, ReleaseStatus.LIVE, null);
            ReleaseService.restore(a, prev);
        }
        ro.holdUntil = Instant.now();
        ro.nextRunAt = ro.holdUntil;
        ro.move(RolloutState.HOLDING, "switched back to release #" + ro.previousRelease + " in " + back);
        changed.fire(new DesiredStateChanged(tenant));
        audit.record(a.tenantId, tenant, a.name, "release.switch-back", "switched " + a.name + " back to release #"
                + ro.previousRelease + " in " + back, null);
        return Action.STARTED;
    }
}
