package dev.berth.jobs;

/**
 * Where one queue's jobs live. The rows of a feature's own table are its jobs (a build, a rollout, a notification
 * delivery), so a job and the thing it works on change in one transaction; the table only needs the queue columns
 * {@code id}, {@code attempts}, {@code last_error} and {@code dead_at}, plus {@code worker} and {@code heartbeat_at}
 * when its jobs run outside the claiming transaction ({@link #heartbeats}). Predicates are SQL over the row, which
 * the queue names {@code j}; they come from code, never from input.
 *
 * @param name        the queue's name in metrics ({@code queue} tag) and logs
 * @param table       the table
 * @param dueWhere    a job that may be claimed now, for example {@code j.state = 'queued'}
 * @param runningWhere a claimed job in progress (for heartbeat queues: the rows whose heartbeat is checked)
 * @param order       the claim order, oldest first
 * @param dueColumn   the column that says when a job is due again; set by {@link JobQueue#requeue} and retries
 * @param heartbeats  whether jobs carry a worker and a heartbeat after their claiming transaction ended
 */
public record JobTable(String name, String table, String dueWhere, String runningWhere, String order,
        String dueColumn, boolean heartbeats) {
}
