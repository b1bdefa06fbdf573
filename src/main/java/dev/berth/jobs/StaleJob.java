package dev.berth.jobs;

import java.time.Instant;

/** A running job whose worker stopped beating, locked by the transaction that found it. */
public record StaleJob(long id, int attempts, String worker, Instant heartbeatAt) {
}
