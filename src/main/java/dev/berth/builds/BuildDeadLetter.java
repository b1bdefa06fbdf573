package dev.berth.builds;

import dev.berth.api.ApiException;
import dev.berth.identity.CurrentUser;
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
 * The builds' dead letter: builds that gave up after {@code berth.builds.max-attempts} attempts whose worker
 * vanished. A dead build is {@code failed}, a final state ({@link BuildState}), so a retry does not revive the row:
 * it queues a new build of the same app at the commit the dead one built (or asked for), through
 * {@link BuildService#request} with its checks (a connected repository, build minutes left), and takes the dead one
 * out of the dead letter. The new build is audited in the tenant's log like any other.
 */
@ApplicationScoped
public class BuildDeadLetter implements DeadLetter {
    @Inject
    EntityManager em;
    @Inject
    JobQueues queues;
    @Inject
    BuildService builds;
    @Inject
    CurrentUser user;

    @Override
    public String queue() {
        return BuildQueue.TABLE.name();
    }

    @Override
    public List<DeadJob> dead(int limit) {
        return DeadJob.list(queue(), em.createNativeQuery("select b.id, t.slug, a.name, b.number, b.last_error, "
                + "b.attempts, b.dead_at from build b join tenant t on t.id = b.tenant_id "
                + "join app a on a.id = b.app_id where b.dead_at is not null order by b.dead_at desc, b.id desc "
                + "limit :n").setParameter("n", limit),
                r -> "build #" + r[3]);
    }

    @Override
    @Transactional(Transactional.TxType.MANDATORY)
    public Retried retry(long id) {
        JobQueue jobs = queues.queue(BuildQueue.TABLE);
        if (!jobs.lockDead(id)) {
            throw ApiException.notFound("dead build", Long.toString(id));
        }
        Build dead = Build.findById(id);
        Object[] names = (Object[]) em.createNativeQuery("select t.slug, a.name from tenant t join app a "
                + "on a.tenant_id = t.id where a.id = :app").setParameter("app", dead.appId).getSingleResult();
        String sha = dead.commitSha != null ? dead.commitSha : dead.requestedSha;
        BuildView next = builds.request(dead.tenantId, (String) names[0], (String) names[1], sha, "retry",
                user.subject());
        jobs.clearDead(id);
        return new Retried(dead.tenantId, (String) names[0], (String) names[1], "dead build #" + dead.number
                + " retried as build #" + next.number() + (sha == null ? "" : " at " + sha));
    }
}
