package dev.berth.builds.run;

import java.time.Duration;
import java.time.Instant;

/**
 * What may stop a running build: a cancel request (seen by the heartbeat, from any Berth instance) or its
 * deadline, set by the tenant's plan (or override) within the platform-wide limit. Every long step (clone, build
 * process, push) polls it.
 */
public final class BuildControl {
    private final Instant deadline;
    private final BuildTimeout timeout;
    private volatile boolean cancelRequested;
    private volatile boolean shuttingDown;
    /**
     * Where the build's running process groups are recorded (in its workspace), for
     * {@link dev.berth.builds.executors.BuildReaper}.
     */
    private volatile java.nio.file.Path processFile;
    private final java.util.Set<ProcessTree.ProcessLeader> processes = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public BuildControl(Duration timeout) {
        this(BuildTimeout.global(timeout));
    }

    public BuildControl(BuildTimeout timeout) {
        this.timeout = timeout;
        this.deadline = Instant.now().plus(timeout.duration());
    }

    /** Whole seconds left until the deadline (at least 1), for a builder Job's activeDeadlineSeconds. */
    public long remainingSeconds() {
        long millis = Duration.between(Instant.now(), deadline).toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }

    /** Records the build's process groups in this file from now on. */
    public void recordProcessesIn(java.nio.file.Path file) {
        this.processFile = file;
        writeProcesses();
    }

    void started(ProcessTree.ProcessLeader leader) {
        processes.add(leader);
        writeProcesses();
    }

    void ended(ProcessTree.ProcessLeader leader) {
        processes.remove(leader);
        writeProcesses();
    }

    private synchronized void writeProcesses() {
        java.nio.file.Path f = processFile;
        if (f == null) {
            return;
        }
        try {
            java.nio.file.Files.write(f, processes.stream().map(ProcessTree.ProcessLeader::line).toList());
        } catch (java.io.IOException e) {
            // The guard still kills the group with Berth; the record only helps a later start reap stragglers.
        }
    }

    public void requestCancel() {
        cancelRequested = true;
    }

    public void shutdown() {
        shuttingDown = true;
    }

    public boolean shuttingDown() {
        return shuttingDown;
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    public boolean timedOut() {
        return Instant.now().isAfter(deadline);
    }

    public boolean stopped() {
        return cancelRequested || shuttingDown || timedOut();
    }

    /** Why the build was stopped, for its failure reason; null while it may go on. */
    public String stopReason() {
        if (cancelRequested) {
            return "cancelled";
        }
        if (shuttingDown) {
            return "Berth is shutting down";
        }
        return timedOut() ? timeout.reason() : null;
    }
}
