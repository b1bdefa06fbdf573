package dev.berth.notify;

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
 * The notification deliveries' dead letter: deliveries that failed {@code berth.notifications.max-attempts} times
 * (or for good). A retry makes the delivery {@code pending} again with no attempts, due now, so the sender posts it
 * once more with its whole retry schedule; a delivery whose hook was deleted is gone with it (404).
 */
@ApplicationScoped
public class NotificationDeadLetter implements DeadLetter {
    @Inject
    EntityManager em;
    @Inject
    JobQueues queues;

    @Override
    public String queue() {
        return NotificationSender.TABLE.name();
    }

    @Override
    public List<DeadJob> dead(int limit) {
        return DeadJob.list(queue(), em.createNativeQuery("select d.id, t.slug, a.name, d.event, h.id as hook, "
                + "d.last_error, d.attempts, d.dead_at from notification_delivery d join notification_hook h "
                + "on h.id = d.hook_id join tenant t on t.id = d.tenant_id join app a on a.id = h.app_id "
                + "where d.dead_at is not null order by d.dead_at desc, d.id desc limit :n").setParameter("n", limit),
                r -> r[3] + " to hook " + r[4]);
    }

    @Override
    @Transactional(Transactional.TxType.MANDATORY)
    public Retried retry(long id) {
        JobQueue jobs = queues.queue(NotificationSender.TABLE);
        if (!jobs.lockDead(id)) {
            throw ApiException.notFound("dead notification delivery", Long.toString(id));
        }
        Object[] row = (Object[]) em.createNativeQuery("select d.tenant_id, t.slug, a.name, d.event, d.hook_id "
                + "from notification_delivery d join notification_hook h on h.id = d.hook_id join tenant t "
                + "on t.id = d.tenant_id join app a on a.id = h.app_id where d.id = :id").setParameter("id", id)
                .getSingleResult();
        // Out of the dead letter first: a dead delivery must be failed (notification_delivery_dead_check).
        jobs.revive(id);
        em.createNativeQuery("update notification_delivery set state = :p where id = :id and state = :f")
                .setParameter("p", NotificationDelivery.PENDING).setParameter("f", NotificationDelivery.FAILED)
                .setParameter("id", id).executeUpdate();
        return new DeadLetter.Retried(((Number) row[0]).longValue(), (String) row[1], (String) row[2],
                "dead delivery of " + row[3] + " to hook " + row[4] + " retried: pending again, due now");
    }
}
