package dev.berth.jobs;

import java.util.List;

/**
 * A queue's dead letter as an operator handles it: the feature that owns the queue lists its dead jobs and retries
 * one through its own state machine (ADR 0028). Implemented by each feature with a queue; the admin API and page
 * find every implementation, so a new queue adds one class.
 */
public interface DeadLetter {
    /** The queue's name ({@link JobTable#name()}): {@code builds}, {@code rollouts}, {@code notifications}. */
    String queue();

    /** The dead jobs, most recently dead first, at most {@code limit}. */
    List<DeadJob> dead(int limit);

    /**
     * Takes the job out of the dead letter and makes it due again, in the caller's transaction, and says what
     * happened. Refuses with an {@link dev.berth.api.ApiException} (404: no such dead job; 409: it
     * cannot be retried, and why) before anything is written.
     */
    Retried retry(long id);

    /** What a retry did, for the answer and the audit log: whose job it was and one sentence. */
    record Retried(long tenantId, String tenant, String app, String summary) {
    }
}
