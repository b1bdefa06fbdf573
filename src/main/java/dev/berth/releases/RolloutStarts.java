package dev.berth.releases;

import dev.berth.api.ApiException;
import dev.berth.apps.App;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.quotas.AppFootprint;
import dev.berth.quotas.QuotaService;
import dev.berth.quotas.RolloutFootprint;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;

/**
 * Starting the rollout of a release just recorded: whether the app's rollout in flight lets it start (409 while a
 * blue/green or canary rollout is deciding), what becomes of that rollout (superseded, or its hold ended), and the
 * new rollout's first state: the live Deployment runs the release (rolling, recreate, an app's first release, in
 * waves when placed in several regions), or the idle colour or canary starts beside the live one. Runs in the
 * transaction that records the release, which holds the lock on the app's {@link AppDeploy}.
 */
@ApplicationScoped
public class RolloutStarts {
    @Inject
    EntityManager em;
    @Inject
    RolloutWaves waves;
    @Inject
    WaveTracks waveTracks;
    @Inject
    RolloutTransitions transitions;
    @Inject
    QuotaService quota;
    @Inject
    ReleaseCommandStep releaseCommand;
    @Inject
    Event<DesiredStateChanged> changed;

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
        if (active == null || active.state == RolloutState.HOLDING
                || (active.state == RolloutState.WAVE_PAUSED && !twoTrack(active.strategy))
                || ((active.state == RolloutState.DEPLOYING || active.state == RolloutState.RELEASE_COMMAND)
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
            if (active.state == RolloutState.HOLDING) {
                transitions.endHold(active, deploy, running, "hold ended early by release #" + r.number);
            } else {
                active.move(RolloutState.SUPERSEDED, "superseded by release #" + r.number);
                RolloutTransitions.finish(running, ReleaseStatus.SUPERSEDED, "superseded by release #" + r.number);
            }
            em.flush();
        }
        Rollout ro = new Rollout();
        ro.tenantId = a.tenantId;
        ro.appId = a.id;
        ro.releaseId = r.id;
        ro.strategy = deploy.strategy;
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
            int canary = canaryReplicas(a.replicas, deploy.canaryWeight);
            quota.checkRollout(a.tenantId, a.name, RolloutFootprint.canary(extra(a, a.replicas), canary));
            ro.targetColor = "canary";
            if (!waveTracks.begin(a, ro, r, deploy, canary)) {
                deploy.idleRelease = r.number;
                deploy.idleReplicas = canary;
            }
        }
        releaseCommand.begin(a, ro, r);
        ro.persist();
        changed.fire(new DesiredStateChanged(tenant));
    }

    /** The new release's pods beside the running ones (no second custom domain: they share the app's). */
    private static AppFootprint extra(App a, int replicas) {
        return new AppFootprint(replicas, a.cpuRequestMillis, a.cpuLimitMillis, a.memoryRequestBytes,
                a.memoryLimitBytes, false);
    }

    /** Replicas of a canary: the weight's share of the app's replicas, at least one. */
    static int canaryReplicas(int replicas, int weight) {
        return Math.max(1, Math.round(replicas * weight / 100f));
    }

    static boolean twoTrack(String strategy) {
        return AppDeploy.BLUE_GREEN.equals(strategy) || AppDeploy.CANARY.equals(strategy);
    }
}
