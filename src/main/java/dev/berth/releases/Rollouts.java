package dev.berth.releases;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * The rollout state machine's entry points (see {@link Rollout} and {@link RolloutState}): the engine's step over
 * the due rollouts, and promote, abort and switch back from people and CI. Every transition is one database
 * transaction that changes the rollout row, the app's {@link AppDeploy} running state and the release statuses
 * together; the reconcilers then make the clusters match. Nothing here writes to a cluster, so a Berth killed at
 * any point resumes from the last committed state, and the clusters converge to it.
 *
 * <p>Transitions run on the rollout engine's thread ({@link #advance}) or inside an API request; both lock the
 * rollout row first, the engine with SKIP LOCKED, so they never interleave, also across several Berth instances.
 * The work is split by idea: {@link RolloutStarts} (a new release's rollout), {@link RolloutSteps} (the engine's
 * progress gates), {@link RolloutActions} (promote, abort, switch back), {@link RolloutTransitions} (the moves
 * shared by those), {@link WaveTracks} and {@link RolloutWaves} (waves), {@link StrategyChanges}.
 */
@ApplicationScoped
public class Rollouts {
    @Inject
    RolloutSteps steps;
    @Inject
    RolloutActions actions;

    /** What a promote, abort or switch back did: started a change (HTTP 202) or found nothing to do (204). */
    public enum Action { STARTED, NOTHING_TO_DO }

    /** The rollouts due now, at most {@code max}, skipping rows someone holds (see {@link RolloutSteps#due}). */
    @Transactional
    public java.util.List<Long> due(int max) {
        return steps.due(max);
    }

    /**
     * Claims the rollout (FOR UPDATE SKIP LOCKED, so several instances share the queue and a row an API request
     * holds is skipped) and advances it one step, in a transaction of its own. Returns whether it was claimed.
     */
    @Transactional
    public boolean advance(long rolloutId) {
        return steps.advanceOne(rolloutId);
    }

    /** Records a step of the rollout that threw; true when it went to the dead letter. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean stepFailed(long rolloutId, String error, int maxFailures) {
        return steps.stepFailed(rolloutId, error, maxFailures);
    }

    /**
     * Promote: a blue/green release waiting for promotion switches the Service now (one write); a canary becomes
     * the stable release; a rollout paused between waves starts the next one. {@link Action#NOTHING_TO_DO} when
     * nothing waits; 409 while the new pods are not ready.
     */
    @Transactional
    public Action promote(long tenantId, String tenant, String app) {
        return actions.promote(tenantId, tenant, app);
    }

    /**
     * Abort a blue/green or canary release before it takes all traffic: the idle colour scales to zero or the
     * canary is removed, and the live release keeps serving. A strategy change aborted before its switch keeps the
     * previous strategy. A rolling or recreate rollout cannot be aborted half-way (409: roll back instead).
     * {@link Action#NOTHING_TO_DO} when nothing is in progress.
     */
    @Transactional
    public Action abort(long tenantId, String tenant, String app) {
        return actions.abort(tenantId, tenant, app);
    }

    /**
     * Switch back: within the hold time after a blue/green switch, the Service goes back to the previous colour
     * (one write); the new colour scales to zero on the engine's next step. 409 when the hold is over.
     */
    @Transactional
    public Action switchBack(long tenantId, String tenant, String app) {
        return actions.switchBack(tenantId, tenant, app);
    }

    static String tenantSlug(long tenantId) {
        return dev.berth.tenancy.Tenant.<dev.berth.tenancy.Tenant>findById(tenantId).slug;
    }
}
