package dev.berth.releases;

import dev.berth.apps.App;
import dev.berth.jobs.JobQueue;
import dev.berth.jobs.JobQueues;
import dev.berth.jobs.JobTable;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.releases.RolloutProgress.TrackProgress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The rollout engine's steps: claims the rollouts that are due and evaluates each one's progress from the watch
 * caches: its gate (every pod of the new release ready in the current wave's regions), the end of a hold, or the
 * progress deadline. Blue/green and canary rollouts in waves are stepped by {@link WaveTracks}, strategy changes by
 * {@link StrategyChanges}; rolling and recreate waves open region by region through {@link RolloutWaves}.
 */
@ApplicationScoped
public class RolloutSteps {
    /** The states the engine claims rows in, from {@link RolloutState#engineSteps()}. */
    private static final String DUE_STATES = RolloutState.activeStates().stream().filter(RolloutState::engineSteps)
            .map(s -> "'" + s.value() + "'").collect(Collectors.joining(", ", "(", ")"));

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
    RolloutTransitions transitions;
    @Inject
    ReleaseCommandStep releaseCommand;
    @Inject
    Event<DesiredStateChanged> changed;
    @ConfigProperty(name = "berth.rollouts.poll-interval", defaultValue = "1s")
    Duration pollInterval;

    /** The rollout rows as jobs: due while active, stepped by the engine and not yet due again; soonest first. */
    static final JobTable TABLE = new JobTable("rollouts", "rollout",
            "j.state in " + DUE_STATES + " and j.next_run_at <= now()",
            "j.state in " + DUE_STATES + " and j.next_run_at > now()", "j.next_run_at, j.id", "next_run_at", false);

    @Inject
    JobQueues jobQueues;

    JobQueue jobs() {
        return jobQueues.queue(TABLE);
    }

    /**
     * The rollouts due now (at most {@code max}), skipping those a request or another instance holds (FOR UPDATE
     * SKIP LOCKED). The locks end with this short transaction: each rollout is claimed again by its own step.
     */
    List<Long> due(int max) {
        return jobs().lockDue(max, null, java.util.Map.of());
    }

    /**
     * Claims one rollout, if it is still due and no one else holds it, and advances it one step. A step that goes
     * through resets the rollout's count of failed steps. Returns whether it was claimed.
     */
    boolean advanceOne(long id) {
        if (jobs().claim(1, "j.id = :id", java.util.Map.of("id", id)).isEmpty()) {
            return false;
        }
        Rollout ro = Rollout.findById(id);
        advance(ro);
        if (ro.active()) {
            ro.nextRunAt = Instant.now().plus(pollInterval);
        }
        jobs().succeeded(id);
        return true;
    }

    /**
     * A step of the rollout threw (its transaction rolled back): it is tried again after a growing wait (the poll
     * interval, doubling, at most a minute), and after {@code maxFailures} failed steps in a row it goes to the
     * dead letter with the error, where the engine leaves it. Returns whether it is dead now.
     */
    boolean stepFailed(long id, String error, int maxFailures) {
        Number failed = (Number) em.createNativeQuery("select attempts from rollout where id = :id")
                .setParameter("id", id).getSingleResult();
        long waitMillis = Math.min(60_000, pollInterval.toMillis() << Math.min(16, failed.intValue()));
        return jobs().failed(id, error, Instant.now().plusMillis(waitMillis), maxFailures, true);
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
        String tenant = Rollouts.tenantSlug(a.tenantId);
        if (ro.fromStrategy != null) {
            strategyChanges.advance(a, tenant, ro, deploy);
            return;
        }
        switch (ro.state) {
            case RELEASE_COMMAND -> releaseCommand.step(a, tenant, ro, r, deploy);
            case DEPLOYING -> deploying(a, tenant, ro, r, deploy);
            case HOLDING -> {
                if (!Instant.now().isBefore(ro.holdUntil)) {
                    transitions.endHold(ro, deploy, r, null);
                    changed.fire(new DesiredStateChanged(tenant));
                }
            }
            default -> {
                // awaiting-promote and canary wait for a person or CI.
            }
        }
    }

    /** The gate of a rollout in state deploying: ready (in the current wave), or past its progress deadline. */
    private void deploying(App a, String tenant, Rollout ro, Release r, AppDeploy deploy) {
        if (WaveTracks.applies(ro)) {
            RolloutState state = ro.state;
            int wave = ro.wave;
            waveTracks.advance(a, tenant, ro, r, deploy);
            if (state != ro.state || wave != ro.wave) {
                changed.fire(new DesiredStateChanged(tenant));
            }
            return;
        }
        List<TrackProgress> p = waves.ofCurrentWave(ro, targetProgress(a, tenant, ro, r, deploy));
        boolean ready = !p.isEmpty() && p.stream().allMatch(TrackProgress::complete);
        if (ready && waves.hasNext(ro)) {
            waves.waveReady(a, ro, deploy.progressDeadlineSeconds);
            changed.fire(new DesiredStateChanged(tenant));
        } else if (ready) {
            ready(a, tenant, ro, r, deploy);
        } else if (Instant.now().isAfter(ro.deadlineAt)) {
            transitions.fail(a, tenant, ro, r, deploy, notReadyReason(ro, p));
        }
    }

    /** Progress of the track the rollout deploys to, in every region of the tenant. */
    List<TrackProgress> targetProgress(App a, String tenant, Rollout ro, Release r, AppDeploy deploy) {
        // A second track (idle colour, canary) has its own replica count; otherwise the app's replicas.
        int desired = RolloutStarts.twoTrack(ro.strategy) && ro.previousRelease != null ? deploy.idleReplicas
                : a.replicas;
        return progress.track(a.tenantId, tenant, a.name, ro.strategy, ro.targetColor, r.number, desired);
    }

    private void ready(App a, String tenant, Rollout ro, Release r, AppDeploy deploy) {
        if (AppDeploy.BLUE_GREEN.equals(ro.strategy) && ro.previousColor != null) {
            if (deploy.autoPromote) {
                transitions.switchColour(a, tenant, ro, r, deploy, "switched automatically once ready");
            } else {
                ro.move(RolloutState.AWAITING_PROMOTE, "ready; waiting for promote");
            }
        } else if (AppDeploy.CANARY.equals(ro.strategy) && "canary".equals(ro.targetColor)) {
            ro.move(RolloutState.CANARY, "canary ready with " + deploy.idleReplicas + " replica(s) and "
                    + deploy.canaryWeight + "% ingress weight; promote or abort");
        } else {
            ro.move(RolloutState.SUCCEEDED, "all replicas ready");
            transitions.supersede(a, ro);
            RolloutTransitions.finish(r, ReleaseStatus.LIVE, null);
        }
    }

    /** Why a rollout missed its progress deadline, region by region. */
    static String notReadyReason(Rollout ro, List<TrackProgress> p) {
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

    /** Ready pods per region, for a 409 that says what a promote waits for. */
    static String summary(List<TrackProgress> p) {
        List<String> parts = new ArrayList<>();
        for (TrackProgress t : p) {
            parts.add(t.region() + " " + t.ready() + "/" + t.desired() + " ready");
        }
        return String.join(", ", parts);
    }
}
