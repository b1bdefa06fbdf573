package dev.berth.jobs;

import io.micrometer.core.instrument.Counter;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One job queue in PostgreSQL ({@link JobTable}): claiming due jobs with {@code FOR UPDATE SKIP LOCKED}, so any
 * number of workers on any number of Berth instances share it without handing one job to two of them; heartbeats
 * of running jobs; stale recovery (jobs whose worker stopped beating are found and requeued); retries; and a dead
 * letter for jobs that failed too often, which keeps the last error and is never claimed again.
 *
 * <p>Every method runs in the caller's transaction: the job's own state (a build's {@code BuildState}, a rollout's
 * {@code RolloutState}) is changed by its feature in the same transaction, through its state machine. The queue
 * only writes its own columns ({@code attempts}, {@code worker}, {@code heartbeat_at}, {@code last_error},
 * {@code dead_at} and the due column). Created by {@link JobQueues#queue}.
 */
public class JobQueue {
    private static final int MAX_ERROR = 2000;
    private final JobTable table;
    private final EntityManager em;
    private final Counter claimed;

    JobQueue(JobTable table, EntityManager em, Counter claimed) {
        this.table = table;
        this.em = em;
        this.claimed = claimed;
    }

    public JobTable table() {
        return table;
    }

    /**
     * Locks up to {@code n} due jobs, in the table's order, skipping rows another transaction holds and dead
     * letters, and returns their ids. {@code extraWhere} (SQL over {@code j}, may be null) narrows the candidates,
     * with its named parameters in {@code params}. The caller's transaction holds the rows until it ends; nothing is
     * counted as claimed until {@link #started} (candidates a caller leaves alone are not claims).
     */
    public List<Long> lockDue(int n, String extraWhere, Map<String, Object> params) {
        var q = em.createNativeQuery("select j.id from " + table.table() + " j where (" + table.dueWhere()
                + ") and j.dead_at is null" + (extraWhere == null ? "" : " and (" + extraWhere + ")") + " order by "
                + table.order() + " limit :n for update of j skip locked").setParameter("n", n);
        params.forEach(q::setParameter);
        List<Long> ids = new ArrayList<>();
        for (Object id : q.getResultList()) {
            ids.add(((Number) id).longValue());
        }
        return ids;
    }

    /** Locks up to {@code n} due jobs and counts them as claimed: for queues whose claim takes every candidate. */
    public List<Long> claim(int n) {
        return claim(n, null, Map.of());
    }

    /** {@link #claim(int)} among the due jobs {@code extraWhere} picks (see {@link #lockDue}). */
    public List<Long> claim(int n, String extraWhere, Map<String, Object> params) {
        List<Long> ids = lockDue(n, extraWhere, params);
        claimed.increment(ids.size());
        return ids;
    }

    /**
     * Records the start of an attempt of a job locked by {@link #lockDue}: one more attempt and, for heartbeat
     * queues, this worker and a first heartbeat. Counts the claim.
     */
    public void started(long id, String worker) {
        if (table.heartbeats()) {
            update("attempts = attempts + 1, worker = :worker, heartbeat_at = now()", id, Map.of("worker", worker));
        } else {
            update("attempts = attempts + 1", id, Map.of());
        }
        claimed.increment();
    }

    /** The job stays its worker's until {@code until}: its due column moves there (a lease instead of a heartbeat). */
    public void leaseUntil(long id, Instant until) {
        update(table.dueColumn() + " = :until", id, Map.of("until", until));
    }

    /** Proves the job's worker alive; false when the job is gone. */
    public boolean heartbeat(long id) {
        requireHeartbeats();
        return em.createNativeQuery("update " + table.table() + " set heartbeat_at = now() where id = :id")
                .setParameter("id", id).executeUpdate() == 1;
    }

    /**
     * Locks the running jobs whose heartbeat is older than {@code after} (or missing), skipping rows another
     * transaction holds, so several instances may recover at once and each stale job is handled by one of them.
     * The caller then {@link #requeue}s or {@link #deadLetter}s each.
     */
    public List<StaleJob> lockStale(Duration after) {
        requireHeartbeats();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select j.id, j.attempts, j.worker, j.heartbeat_at from "
                + table.table() + " j where (" + table.runningWhere() + ") and (j.heartbeat_at is null or "
                + "j.heartbeat_at < now() - make_interval(secs => :s)) order by j.id for update of j skip locked")
                .setParameter("s", (double) after.toMillis() / 1000).getResultList();
        List<StaleJob> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new StaleJob(((Number) r[0]).longValue(), ((Number) r[1]).intValue(), (String) r[2],
                    Times.instant(r[3])));
        }
        return out;
    }

    /** Makes the job due again now, without a worker; {@code error} (may be null) is kept as its last error. */
    public void requeue(long id, String error) {
        String worker = table.heartbeats() ? "worker = null, heartbeat_at = null, " : "";
        if (error == null) {
            update(worker + table.dueColumn() + " = now()", id, Map.of());
        } else {
            update(worker + table.dueColumn() + " = now(), last_error = :e", id, Map.of("e", cut(error)));
        }
    }

    /**
     * An attempt failed: the job is due again at {@code retryAt} with the error kept, or, once it has failed
     * {@code maxAttempts} times, goes to the dead letter. Counts the failure as an attempt unless {@link #started}
     * did already ({@code countAttempt}). Returns whether the job is dead now.
     */
    public boolean failed(long id, String error, Instant retryAt, int maxAttempts, boolean countAttempt) {
        if (countAttempt) {
            update("attempts = attempts + 1", id, Map.of());
        }
        Number attempts = (Number) em.createNativeQuery("select attempts from " + table.table() + " where id = :id")
                .setParameter("id", id).getSingleResult();
        if (attempts.intValue() >= maxAttempts) {
            deadLetter(id, error);
            return true;
        }
        update(table.dueColumn() + " = :at, last_error = :e", id, Map.of("at", retryAt, "e", cut(error)));
        return false;
    }

    /** Puts the job in the dead letter with its last error: it is never claimed or recovered again. */
    public void deadLetter(long id, String error) {
        String worker = table.heartbeats() ? ", worker = null" : "";
        update("dead_at = now(), last_error = :e" + worker, id, Map.of("e", cut(error)));
    }

    /**
     * Takes a dead job out of the dead letter (an operator's retry): no attempts yet, due now, its last error kept
     * until the next attempt replaces it. False when the job is not dead (or gone). The caller moves the job's state
     * through its machine in the same transaction and holds the row's lock ({@link #lockDead}).
     */
    public boolean revive(long id) {
        String worker = table.heartbeats() ? "worker = null, heartbeat_at = null, " : "";
        return em.createNativeQuery("update " + table.table() + " set " + worker + "dead_at = null, attempts = 0, "
                + table.dueColumn() + " = now() where id = :id and dead_at is not null").setParameter("id", id)
                .executeUpdate() == 1;
    }

    /** A dead job whose work is redone by a new job (a failed build is final): it leaves the dead letter as it is. */
    public void clearDead(long id) {
        update("dead_at = null", id, Map.of());
    }

    /** Locks a job of the dead letter for a retry; false when there is no such job or it is not dead. */
    public boolean lockDead(long id) {
        return !em.createNativeQuery("select j.id from " + table.table() + " j where j.id = :id and j.dead_at is not "
                + "null for update of j").setParameter("id", id).getResultList().isEmpty();
    }

    /** A job that succeeded a step: its count of failed attempts starts again (queues counting failures only). */
    public void succeeded(long id) {
        em.createNativeQuery("update " + table.table() + " set attempts = 0 where id = :id and attempts <> 0")
                .setParameter("id", id).executeUpdate();
    }

    private void update(String set, long id, Map<String, Object> params) {
        var q = em.createNativeQuery("update " + table.table() + " set " + set + " where id = :id")
                .setParameter("id", id);
        params.forEach(q::setParameter);
        q.executeUpdate();
    }

    private void requireHeartbeats() {
        if (!table.heartbeats()) {
            throw new IllegalStateException("the " + table.name() + " queue has no heartbeats");
        }
    }

    static String cut(String error) {
        String e = error == null ? "(no message)" : error;
        return e.length() > MAX_ERROR ? e.substring(0, MAX_ERROR - 3) + "..." : e;
    }

    /** Timestamps as the JDBC driver returns them. */
    public static final class Times {
        private Times() {
        }

        public static Instant instant(Object o) {
            return o instanceof java.sql.Timestamp ts ? ts.toInstant() : o instanceof Instant i ? i
                    : o instanceof java.time.OffsetDateTime odt ? odt.toInstant() : null;
        }
    }
}
