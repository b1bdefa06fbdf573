package dev.berth.releases;

import dev.berth.apps.App;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.quotas.QuotaService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Instant;

/**
 * The transitions that more than one path of a rollout takes (the engine's steps, people's promote and abort, the
 * waves, a new release): the blue/green switch, the end of the hold, failure and the stop of a second track, and
 * what they do to the releases and the quota reservation. Each changes the rollout row (through
 * {@link Rollout#move}, which checks {@link RolloutState}'s table), the app's layout and the release statuses in
 * the caller's transaction; the reconcilers then write to the clusters.
 */
@ApplicationScoped
public class RolloutTransitions {
    @Inject
    WaveTracks waveTracks;
    @Inject
    QuotaService quota;
    @Inject
    Event<DesiredStateChanged> changed;

    /**
     * The blue/green switch: the Service's selector moves to the target colour, which is the only object whose
     * rendering changes (the Deployments render the same before and after), so it is one cluster write. The
     * previous colour keeps its pods for the hold time.
     */
    void switchColour(App a, String tenant, Rollout ro, Release r, AppDeploy deploy, String why) {
        deploy.liveColor = ro.targetColor;
        deploy.idleRelease = deploy.liveRelease;
        deploy.liveRelease = r.number;
        deploy.idleReplicas = a.replicas;
        ro.holdUntil = Instant.now().plusSeconds(deploy.holdSeconds);
        ro.nextRunAt = ro.holdUntil;
        ro.move(RolloutState.HOLDING, why + "; " + ro.previousColor + " kept until " + ro.holdUntil
                + " for switch back");
        supersede(a, ro);
        finish(r, ReleaseStatus.LIVE, null);
        changed.fire(new DesiredStateChanged(tenant));
    }

    /** The hold is over (or cut short): the idle colour scales to zero; the rollout ends. */
    void endHold(Rollout ro, AppDeploy deploy, Release r, String why) {
        if (WaveTracks.applies(ro)) {
            waveTracks.endHold(App.<App>findById(ro.appId), ro, deploy);
        }
        deploy.idleReplicas = 0;
        releaseQuota(ro);
        boolean switchedBack = deploy.liveRelease != null && deploy.liveRelease != r.number;
        ro.move(switchedBack ? RolloutState.SWITCHED_BACK : RolloutState.SUCCEEDED,
                why != null ? why : switchedBack ? "switched back to release #" + deploy.liveRelease
                        + "; " + ro.targetColor + " scaled to zero"
                        : "hold over; " + ro.previousColor + " scaled to zero");
    }

    void fail(App a, String tenant, Rollout ro, Release r, AppDeploy deploy, String reason) {
        ro.move(RolloutState.FAILED, reason);
        finish(r, ReleaseStatus.FAILED, reason);
        stopTrack(a, ro, deploy);
        changed.fire(new DesiredStateChanged(tenant));
    }

    /**
     * After a failed or aborted blue/green or canary rollout: the idle colour scales to zero (the canary goes),
     * and the app's configuration returns to the live release's, so the next change starts from what runs.
     */
    void stopTrack(App a, Rollout ro, AppDeploy deploy) {
        if (!RolloutStarts.twoTrack(ro.strategy) || ro.previousRelease == null) {
            return;
        }
        if (WaveTracks.applies(ro)) {
            waveTracks.stop(a, ro, deploy);
        }
        deploy.idleReplicas = 0;
        releaseQuota(ro);
        if (AppDeploy.CANARY.equals(ro.strategy)) {
            deploy.idleRelease = null;
        }
        Release live = Release.find(a.id, deploy.liveRelease);
        if (live != null) {
            ReleaseService.restore(a, live);
        }
    }

    /** Ends the quota reservation of a blue/green or canary rollout once its second track holds nothing. */
    void releaseQuota(Rollout ro) {
        if (RolloutStarts.twoTrack(ro.strategy) && ro.previousRelease != null) {
            quota.rolloutFinished(ro.tenantId, App.<App>findById(ro.appId).name);
        }
    }

    /** The release that was live before this rollout is superseded now (unless it is the same). */
    void supersede(App a, Rollout ro) {
        if (ro.previousRelease != null) {
            Release prev = Release.find(a.id, ro.previousRelease);
            if (prev != null && prev.id != null && !prev.id.equals(ro.releaseId)
                    && ReleaseStatus.LIVE.equals(prev.status)) {
                finish(prev, ReleaseStatus.SUPERSEDED, null);
            }
        }
    }

    static void finish(Release r, String status, String reason) {
        r.status = status;
        if (reason != null) {
            r.reason = reason.length() > 2000 ? reason.substring(0, 1997) + "..." : reason;
        }
        r.finishedAt = Instant.now();
    }
}
