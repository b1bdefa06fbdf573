package dev.berth.releases;

import dev.berth.api.ApiException;
import dev.berth.jobs.DeadJob;
import dev.berth.jobs.DeadLetter;
import dev.berth.jobs.JobQueue;
import dev.berth.jobs.JobQueues;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.List;

/**
 * The rollouts' dead letter: rollouts whose step threw {@code berth.rollouts.max-failures} times in a row. A dead
 * rollout keeps its state (ADR 0020), so a retry makes it due again in that state, with its failure count reset,
 * and the engine steps it as before. Only a rollout that is still active can be retried: one that a newer release
 * superseded, or that was aborted, failed or finished meanwhile, is refused with a 409 that says so.
 */
@ApplicationScoped
public class RolloutDeadLetter implements DeadLetter {
    @Inject
    EntityManager em;
    @Inject
    JobQueues queues;

    @Override
    public String queue() {
        return RolloutSteps.TABLE.name();
    }

    @Override
    public List<DeadJob> dead(int limit) {
        return DeadJob.list(queue(), em.createNativeQuery("select r.id, t.slug, a.name, rel.number, r.state, "
                + "r.last_error, r.attempts, r.dead_at from rollout r join tenant t on t.id = r.tenant_id "
                + "join app a on a.id = r.app_id join release rel on rel.id = r.release_id where r.dead_at is not null "
                + "order by r.dead_at desc, r.id desc limit :n").setParameter("n", limit),
                r -> "rollout of release #" + r[3] + " (" + r[4] + ")");
    }

    @Override
    @Transactional(Transactional.TxType.MANDATORY)
    public Retried retry(long id) {
        JobQueue jobs = queues.queue(RolloutSteps.TABLE);
        if (!jobs.lockDead(id)) {
            throw ApiException.notFound("dead rollout", Long.toString(id));
        }
        Rollout ro = Rollout.findById(id);
        em.refresh(ro);
        Release r = Release.findById(ro.releaseId);
        Object[] names = (Object[]) em.createNativeQuery("select t.slug, a.name from tenant t join app a "
                + "on a.tenant_id = t.id where a.id = :app").setParameter("app", ro.appId).getSingleResult();
        String what = "the rollout of release #" + r.number + " of " + names[0] + "/" + names[1];
        if (ro.state == RolloutState.SUPERSEDED) {
            throw ApiException.conflict("state", what + " was superseded by a newer release"
                    + (ro.reason == null ? "" : " (" + ro.reason + ")") + "; deploy again instead of retrying it");
        }
        if (!ro.state.active()) {
            throw ApiException.conflict("state", what + " is " + ro.state + (ro.reason == null ? "" : " (" + ro.reason
                    + ")") + ": only a rollout still in progress can be stepped again");
        }
        jobs.revive(id);
        return new Retried(ro.tenantId, (String) names[0], (String) names[1], "dead rollout of release #" + r.number
                + " retried: due again in its state " + ro.state);
    }
}
