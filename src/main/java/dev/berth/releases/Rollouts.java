package dev.berth.releases;

import dev.berth.api.ApiException;
import dev.berth.apps.App;
import dev.berth.audit.AuditLog;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.quotas.AppFootprint;
import dev.berth.quotas.QuotaService;
import dev.berth.quotas.RolloutFootprint;
import dev.berth.releases.RolloutProgress.TrackProgress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The rollout state machine (see {@link Rollout}). Every transition is one database transaction that changes the
 * rollout row, the app's {@link AppDeploy} running state and the release statuses together; the reconcilers then
 * make the clusters match. Nothing here writes to a cluster, so a Berth killed at any point resumes from the last
 * committed state, and the clusters converge to it.
 *
 * <p>Transitions run on the rollout engine's thread ({@link #advanceDue}) or inside an API request (promote, abort,
 * switch back); both lock the rollout row first, the engine with SKIP LOCKED, so they never interleave, also across
 * several Berth instances.
 */
@ApplicationScoped
public class Rollouts {
    @Inject
    EntityManager em;
    @Inject
    RolloutProgress progress;
    @Inject
    RolloutWaves waves;
    @Inject
    WaveTracks waveTracks;
    @Inject
    StrategyChanges strategyChanges;
    @Inject
    AuditLog audit;
    @Inject
    QuotaService quota;
    @Inject
    Event<DesiredStateChanged> changed;
    @ConfigProperty(name = "berth.rollouts.poll-interval", defaultValue = "1s")
    Duration pollInterval;

    /** What a promote, abort or switch back did: started a change (HTTP 202) or found nothing to do (204). */
    public enum Action { STARTED, NOTHING_TO_DO }

    /**
     * Refuses (409) a new release while a blue/green or canary rollout of the app is still deciding. A rollout onto
     * the live track (rolling, recreate, an app's first release, also paused between waves) is superseded by the
     * new release, and a blue/green rollout holding its previous colour ends its hold (the new release goes to that
     * colour). A blue/green or canary rollout paused between waves is deciding too (promote or abort it).
     */
    void requireNoConflict(App a, AppDeploy deploy) {
        Rollout active = Rollout.lockActive(a.id);
        if (active != null && active.fromStrategy != null) {
            throw StrategyChanges.inProgress("release", a, active);
        }
        if (active == null || Rollout.HOLDING.equals(active.state)
                || (Rollout.WAVE_PAUSED.equals(active.state) && !twoTrack(active.strategy))
                || (Rollout.DEPLOYING.equals(active.state)
                && (!twoTrack(active.strategy) || active.previousRelease == null))) {
            return;
        }
        Release r = Release.findById(active.releaseId);
        throw ApiException.conflict("release", "release #" + r.number + " of " + a.name + " is still rolling out ("
                + active.state + "); wait for it, or promote or abort it, before deploying again");
    }

    /** Starts the rollout of a release just recorded; the caller holds the lock on {@code deploy}. */
    void start(App a, String tenant, AppDeploy deploy, Release r) {
        Rollout active = Rollout.lockActive(a.id);
        if (active != null) {
            Release running = Release.findById(active.releaseId);
            if (Rollout.HOLDING.equals(active.state)) {
                endHold(active, deploy, running, "hold ended early by release #" + r.number);
            } else {
                active.move(Rollout.SUPERSEDED, "superseded by release #" + r.number);
                finish(running, ReleaseStatus.SUPERSEDED, "superseded by release #" + r.number);
            }
            em.flush();
        }
        Rollout ro = new Rollout();
        ro.tenantId = a.tenantId;
        ro.appId = a.id;
        ro.releaseId = r.id;
        ro.strategy = deploy.strategy;
        ro.state = Rollout.DEPLOYING;
        ro.deadlineAt = Instant.now().plusSeconds(deploy.progressDeadlineSeconds);
        ro.previousRelease = deploy.liveRelease;
        r.status = ReleaseStatus.DEPLOYING;
        if (!deploy.twoTracks() || deploy.liveRelease == null) {
            // Rolling, recreate, and the first release of any strategy: the (live) Deployment runs it directly.
            ro.targetColor = AppDeploy.BLUE_GREEN.equals(deploy.strategy) ? deploy.liveColor
                    : AppDeploy.CANARY.equals(deploy.strategy) ? "stable" : null;
            deploy.liveRelease = r.number;
            if (!deploy.twoTracks()) {
                waves.begin(a, ro, r);
            }
        } else if (AppDeploy.BLUE_GREEN.equals(deploy.strategy)) {
            quota.checkRollout(a.tenantId, a.name, RolloutFootprint.blueGreen(extra(a, a.replicas)));
            ro.targetColor = deploy.idleColor();
            ro.previousColor = deploy.liveColor;
            if (!waveTracks.begin(a, ro, r, deploy, a.replicas)) {
                deploy.idleRelease = r.number;
                deploy.idleReplicas = a.replicas;
            }
        } else {
            quota.checkRollout(a.tenantId, a.name, RolloutFootprint.canary(extra(a, a.replicas),
                    canaryReplicas(a.replicas, deploy.canaryWeight)));
            ro.targetColor = "canary";
            int canary = canaryReplicas(a.replicas, deploy.canaryWeight);
            if (!waveTracks.begin(a, ro, r, deploy, canary)) {
                deploy.idleRelease = r.number;
                deploy.idleReplicas = canary;
            }
        }
        ro.persist();
        changed.fire(new DesiredStateChanged(tenant));
    }

    /** The new release's pods beside the running ones (no second custom domain: they share the app's). */
    private static AppFootprint extra(App a, int replicas) {
        return new AppFootprint(replicas, a.cpuRequestMillis, a.cpuLimitMillis, a.memoryRequestBytes,
                a.memoryLimitBytes, false);
    }

    /** Ends the quota reservation of a blue/green or canary rollout once its second track holds nothing. */
    void releaseQuota(Rollout ro) {
        if (twoTrack(ro.strategy) && ro.previousRelease != null) {
            quota.rolloutFinished(ro.tenantId, App.<App>findById(ro.appId).name);
        }
    }

    /** Replicas of a canary: the weight's share of the app's replicas, at least one. */
    static int canaryReplicas(int replicas, int weight) {
        return Math.max(1, Math.round(replicas * weight / 100f));
    }

    private static boolean twoTrack(String strategy) {
        return AppDeploy.BLUE_GREEN.equals(strategy) || AppDeploy.CANARY.equals(strategy);
    }

    /**
     * Claims the rollouts that are due (FOR UPDATE SKIP LOCKED, so several instances share the queue and a row an
     * API request holds is skipped) and advances each one step. Returns how many were looked at.
     */
    @Transactional
    public int advanceDue(int max) {
        @SuppressWarnings("unchecked")
        List<Rollout> due = em.createNativeQuery("select * from rollout where state in "
                + "('deploying', 'awaiting-promote', 'canary', 'holding', 'switching') and next_run_at <= now() "
                + "order by next_run_at limit ?1 for update skip locked", Rollout.class)
                .setParameter(1, max).getResultList();
        for (Rollout ro : due) {
            advance(ro);
            if (ro.active()) {
                ro.nextRunAt = Instant.now().plus(pollInterval);
            }
        }
        return due.size();
    }

    private void advance(Rollout ro) {
        // Never wait on a lock here: a request holding the app's rows goes first, the rollout is retried next time.
        @SuppressWarnings("unchecked")
        List<App> apps = em.createNativeQuery("select * from app where id = ?1 for update skip locked", App.class)
                .setParameter(1, ro.appId).getResultList();
        AppDeploy deploy = apps.isEmpty() ? null : AppDeploy.lockOrSkip(ro.appId);
        if (deploy == null) {
            return;
        }
        App a = apps.get(0);
        Release r = Release.findById(ro.releaseId);
        String tenant = tenantSlug(a.tenantId);
        if (ro.fromStrategy != null) {
            strategyChanges.advance(a, tenant, ro, deploy, this);
            return;
        }
        switch (ro.state) {
            case Rollout.DEPLOYING -> {
                if (WaveTracks.applies(ro)) {
                    String state = ro.state;
                    int wave = ro.wave;
                    waveTracks.advance(a, tenant, ro, r, deploy, this);
                    if (!state.equals(ro.state) || wave != ro.wave) {
                        changed.fire(new DesiredStateChanged(tenant));
                    }
                    return;
                }
                List<TrackProgress> p = waves.ofCurrentWave(ro, targetProgress(a, tenant, ro, r, deploy));
                if (!p.isEmpty() && p.stream().allMatch(TrackProgress::complete) && waves.hasNext(ro)) {
                    waves.waveReady(a, ro, deploy.progressDeadlineSeconds);
                    changed.fire(new DesiredStateChanged(tenant));
                } else if (!p.isEmpty() && p.stream().allMatch(TrackProgress::complete)) {
                    ready(a, tenant, ro, r, deploy);
                } else if (Instant.now().isAfter(ro.deadlineAt)) {
                    fail(a, tenant, ro, r, deploy, notReadyReason(ro, p));
                }
            }
            case Rollout.HOLDING -> {
                if (!Instant.now().isBefore(ro.holdUntil)) {
                    endHold(ro, deploy, r, null);
                    changed.fire(new DesiredStateChanged(tenant));
                }
            }
            default -> {
                // awaiting-promote and canary wait for a person or CI.
            }
        }
    }

    /** Progress of the track the rollout deploys to, in every region of the tenant. */
    List<TrackProgress> targetProgress(App a, String tenant, Rollout ro, Release r, AppDeploy deploy) {
        // A second track (idle colour, canary) has its own replica count; otherwise the app's replicas.
        int desired = twoTrack(ro.strategy) && ro.previousRelease != null ? deploy.idleReplicas : a.replicas;
        return progress.track(a.tenantId, tenant, a.name, ro.strategy, ro.targetColor, r.number, desired);
    }

    private void ready(App a, String tenant, Rollout ro, Release r, AppDeploy deploy) {
        if (AppDeploy.BLUE_GREEN.equals(ro.strategy) && ro.previousColor != null) {
            if (deploy.autoPromote) {
                switchColour(a, tenant, ro, r, deploy, "switched automatically once ready");
            } else {
                ro.move(Rollout.AWAITING_PROMOTE, "ready; waiting for promote");
            }
        } else if (AppDeploy.CANARY.equals(ro.strategy) && "canary".equals(ro.targetColor)) {
            ro.move(Rollout.CANARY, "canary ready with " + deploy.idleReplicas + " replica(s) and "
                    + deploy.canaryWeight + "% ingress weight; promote or abort");
        } else {
            ro.move(Rollout.SUCCEEDED, "all replicas ready");
            supersede(a, ro);
            finish(r, ReleaseStatus.LIVE, null);
        }
    }

    /**
     * The blue/green switch: the Service's selector moves to the target colour, which is the only object whose
     * rendering changes (the Deployments render the same before and after), so it is one cluster write. The
     * previous colour keeps its pods for the hold time.
     */
    private void switchColour(App a, String tenant, Rollout ro, Release r, AppDeploy deploy, String why) {
        deploy.liveColor = ro.targetColor;
        deploy.idleRelease = deploy.liveRelease;
        deploy.liveRelease = r.number;
        deploy.idleReplicas = a.replicas;
        ro.holdUntil = Instant.now().plusSeconds(deploy.holdSeconds);
        ro.nextRunAt = ro.holdUntil;
        ro.move(Rollout.HOLDING, why + "; " + ro.previousColor + " kept until " + ro.holdUntil + " for switch back");
        supersede(a, ro);
        finish(r, ReleaseStatus.LIVE, null);
        changed.fire(new DesiredStateChanged(tenant));
    }

    /** The hold is over (or cut short): the idle colour scales to zero; the rollout ends. */
    private void endHold(Rollout ro, AppDeploy deploy, Release r, String why) {
        if (WaveTracks.applies(ro)) {
            waveTracks.endHold(App.<App>findById(ro.appId), ro, deploy);
        }
        deploy.idleReplicas = 0;
        releaseQuota(ro);
        boolean switchedBack = deploy.liveRelease != null && deploy.liveRelease != r.number;
        ro.move(switchedBack ? Rollout.SWITCHED_BACK : Rollout.SUCCEEDED,
                why != null ? why : switchedBack ? "switched back to release #" + deploy.liveRelease
                        + "; " + ro.targetColor + " scaled to zero" : "hold over; " + ro.previousColor + " scaled to zero");
    }

    void fail(App a, String tenant, Rollout ro, Release r, AppDeploy deploy, String reason) {
        ro.move(Rollout.FAILED, reason);
        finish(r, ReleaseStatus.FAILED, reason);
        stopTrack(a, ro, deploy);
        changed.fire(new DesiredStateChanged(tenant));
    }

    /**
     * After a failed or aborted blue/green or canary rollout: the idle colour scales to zero (the canary goes),
     * and the app's configuration returns to the live release's, so the next change starts from what runs.
     */
    private void stopTrack(App a, Rollout ro, AppDeploy deploy) {
        if (!twoTrack(ro.strategy) || ro.previousRelease == null) {
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

    String notReadyReason(Rollout ro, List<TrackProgress> p) {
        String track = ro.targetColor == null ? "the new pods" : ro.targetColor;
        List<String> parts = new ArrayList<>();
        for (TrackProgress t : p) {
            if (!t.complete()) {
                String part = t.region() + ": " + t.ready() + "/" + t.desired() + " ready";
                if (t.others() > 0) {
                    part += ", " + t.others() + " old pod(s) left";
                }
                if (!t.problems().isEmpty()) {
                    part += "; " + String.join("; ", t.problems());
                }
                parts.add(part);
            }
        }
        long seconds = Duration.between(ro.createdAt, ro.deadlineAt).toSeconds();
        return track + " did not become ready within the progress deadline (" + seconds + " s) - "
                + (parts.isEmpty() ? "no region reported progress" : String.join(" | ", parts));
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

    // ---- actions from people and CI --------------------------------------------------------------------------

    /**
     * Promote: a blue/green release waiting for promotion switches the Service now (one write); a canary becomes
     * the stable release. {@link Action#NOTHING_TO_DO} when nothing waits; 409 while the new pods are not ready.
     */
    @Transactional
    public Action promote(long tenantId, String tenant, String app) {
        App a = ReleaseService.requireApp(tenantId, app);
        AppDeploy deploy = AppDeploy.lock(a.id);
        Rollout ro = Rollout.lockActive(a.id);
        if (ro == null || Rollout.HOLDING.equals(ro.state) || ro.fromStrategy != null) {
            // A strategy change goes on by itself once its new Deployment is ready; nothing waits for a promote.
            return Action.NOTHING_TO_DO;
        }
        Release r = Release.findById(ro.releaseId);
        if (WaveTracks.applies(ro)) {
            String what = waveTracks.promote(a, tenant, ro, r, deploy, this);
            changed.fire(new DesiredStateChanged(tenant));
            audit.record(tenantId, tenant, a.name, "release.promote", "promoted release #" + r.number + " of " + a.name
                    + ": " + what, null);
            return Action.STARTED;
        }
        if (Rollout.WAVE_PAUSED.equals(ro.state)) {
            waves.next(a, ro, deploy.progressDeadlineSeconds);
            changed.fire(new DesiredStateChanged(tenant));
            audit.record(tenantId, tenant, a.name, "release.promote", "promoted release #" + r.number + " of " + a.name
                    + " to wave " + (ro.wave + 1) + " " + ro.waves.get(ro.wave), null);
            return Action.STARTED;
        }
        if (Rollout.DEPLOYING.equals(ro.state)) {
            if (!twoTrack(ro.strategy)) {
                return Action.NOTHING_TO_DO;
            }
            throw ApiException.conflict("release", "release #" + r.number + " is not ready yet: "
                    + summary(targetProgress(a, tenant, ro, r, deploy)) + "; promote when it is");
        }
        if (Rollout.AWAITING_PROMOTE.equals(ro.state)) {
            switchColour(a, tenant, ro, r, deploy, "promoted");
        } else {
            deploy.liveRelease = r.number;
            deploy.idleRelease = null;
            deploy.idleReplicas = 0;
            releaseQuota(ro);
            ro.move(Rollout.SUCCEEDED, "canary promoted; stable rolls to release #" + r.number);
            supersede(a, ro);
            finish(r, ReleaseStatus.LIVE, null);
            changed.fire(new DesiredStateChanged(tenant));
        }
        audit.record(tenantId, tenant, a.name, "release.promote", "promoted release #" + r.number + " of " + a.name,
                null);
        return Action.STARTED;
    }

    /**
     * Abort a blue/green or canary release before it takes all traffic: the idle colour scales to zero or the
     * canary is removed, and the live release keeps serving. A strategy change aborted before its switch keeps the
     * previous strategy. A rolling or recreate rollout cannot be aborted
     * half-way (409: roll back instead). {@link Action#NOTHING_TO_DO} when nothing is in progress.
     */
    @Transactional
    public Action abort(long tenantId, String tenant, String app) {
        App a = ReleaseService.requireApp(tenantId, app);
        AppDeploy deploy = AppDeploy.lock(a.id);
        Rollout ro = Rollout.lockActive(a.id);
        if (ro == null || Rollout.HOLDING.equals(ro.state)) {
            return Action.NOTHING_TO_DO;
        }
        if (ro.fromStrategy != null) {
            Action done = strategyChanges.abort(a, tenant, ro, deploy);
            audit.record(tenantId, tenant, a.name, "release.abort", "aborted the change of " + a.name + "'s strategy to "
                    + ro.strategy, null);
            return done;
        }
        if (!twoTrack(ro.strategy) || ro.previousRelease == null) {
            throw ApiException.conflict("release", "a " + ro.strategy + " rollout cannot be aborted half-way; "
                    + "roll back to the previous release instead");
        }
        Release r = Release.findById(ro.releaseId);
        boolean partly = WaveTracks.applies(ro) && (ro.wave > 0 || Rollout.WAVE_PAUSED.equals(ro.state));
        int at = ro.wave + (Rollout.WAVE_PAUSED.equals(ro.state) ? 2 : 1);
        String why = partly ? "aborted in wave " + at + " of " + ro.waves.size() + "; regions of the waves before "
                + "keep release #" + r.number + ", the others keep release #" + ro.previousRelease
                : "aborted before it took traffic";
        ro.move(Rollout.ABORTED, partly ? why : "aborted");
        finish(r, ReleaseStatus.ABORTED, why);
        stopTrack(a, ro, deploy);
        changed.fire(new DesiredStateChanged(tenant));
        audit.record(tenantId, tenant, a.name, "release.abort", "aborted release #" + r.number + " of " + a.name, null);
        return Action.STARTED;
    }

    /**
     * Switch back: within the hold time after a blue/green switch, the Service goes back to the previous colour
     * (one write); the new colour scales to zero on the engine's next step. 409 when the hold is over.
     */
    @Transactional
    public Action switchBack(long tenantId, String tenant, String app) {
        App a = ReleaseService.requireApp(tenantId, app);
        AppDeploy deploy = AppDeploy.lock(a.id);
        Rollout ro = Rollout.lockActive(a.id);
        if (ro != null && WaveTracks.applies(ro) && AppDeploy.BLUE_GREEN.equals(ro.strategy)) {
            return switchBackWaves(a, tenant, ro, deploy);
        }
        if (ro == null || !Rollout.HOLDING.equals(ro.state)) {
            Rollout last = Rollout.latest(a.id);
            if (last != null && Rollout.SWITCHED_BACK.equals(last.state)) {
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
        finish(r, ReleaseStatus.ROLLED_BACK, "switched back to release #" + ro.previousRelease);
        if (prev != null) {
            finish(prev, ReleaseStatus.LIVE, null);
            ReleaseService.restore(a, prev);
        }
        // The hold ends at once: the engine's next step scales the abandoned colour to zero, a separate write.
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
            if (Rollout.HOLDING.equals(ro.state)) {
                return Action.NOTHING_TO_DO;
            }
            throw ApiException.conflict("release", "no region has switched to release #" + r.number
                    + " yet; abort the rollout instead");
        }
        List<String> back = waveTracks.switchBack(a, ro, r, deploy);
        Release prev = Release.find(a.id, ro.previousRelease);
        finish(r, ReleaseStatus.ROLLED_BACK, "switched back to release #" + ro.previousRelease + " in " + back);
        if (prev != null) {
            finish(prev, ReleaseStatus.LIVE, null);
            ReleaseService.restore(a, prev);
        }
        ro.holdUntil = Instant.now();
        ro.nextRunAt = ro.holdUntil;
        ro.move(Rollout.HOLDING, "switched back to release #" + ro.previousRelease + " in " + back);
        changed.fire(new DesiredStateChanged(tenant));
        audit.record(a.tenantId, tenant, a.name, "release.switch-back", "switched " + a.name + " back to release #"
                + ro.previousRelease + " in " + back, null);
        return Action.STARTED;
    }

    static String summary(List<TrackProgress> p) {
        List<String> parts = new ArrayList<>();
        for (TrackProgress t : p) {
            parts.add(t.region() + " " + t.ready() + "/" + t.desired() + " ready");
        }
        return String.join(", ", parts);
    }

    static String tenantSlug(long tenantId) {
        return dev.berth.tenants.Tenant.<dev.berth.tenants.Tenant>findById(tenantId).slug;
    }
}
