package dev.berth.releases;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Drives rollouts from their queue in PostgreSQL (the shared {@link dev.berth.jobs.JobQueue} over the rollout rows):
 * every {@code berth.rollouts.poll-interval} it claims due rollouts ({@link Rollouts#advance}) and advances them one
 * step. Any number of Berth instances may run it; the row
 * locks keep each rollout on one instance at a time. Stopping it anywhere loses nothing: the state is in the
 * database and the next instance (or restart) continues from there.
 */
@ApplicationScoped
public class RolloutEngine {
    private static final Logger LOG = Logger.getLogger(RolloutEngine.class);
    private static final int BATCH = 50;
    @Inject
    Rollouts rollouts;
    @ConfigProperty(name = "berth.rollouts.poll-interval", defaultValue = "1s")
    Duration pollInterval;
    @ConfigProperty(name = "berth.rollouts.max-failures", defaultValue = "20")
    int maxFailures;
    private ScheduledExecutorService executor;

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    /** Starts polling (again); tests use it to restart the engine after {@link #stop()}. */
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rollout-engine");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::poll, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops polling and waits for a step in progress to end, as a killed instance would stop (tests). */
    public synchronized void stop() {
        if (executor == null) {
            return;
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor = null;
    }

    private void poll() {
        try {
            while (advanceDue(BATCH) == BATCH) {
                // more are due: keep going
            }
        } catch (RuntimeException e) {
            LOG.warnf("rollout engine: cannot read the due rollouts, retrying: %s", e.getMessage());
        }
    }

    /**
     * Steps every due rollout (at most {@code max}), each in its own transaction, so a rollout whose step fails
     * delays no other: it is retried with a growing wait and, after {@code berth.rollouts.max-failures} failed
     * steps in a row, left in the dead letter. Returns how many were due.
     */
    int advanceDue(int max) {
        java.util.List<Long> due = rollouts.due(max);
        for (long id : due) {
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            try {
                rollouts.advance(id);
            } catch (RuntimeException e) {
                String error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                try {
                    if (rollouts.stepFailed(id, error, maxFailures)) {
                        LOG.errorf("rollout %d: step failed %d times in a row, left in the dead letter: %s", id,
                                maxFailures, error);
                    } else {
                        LOG.warnf("rollout %d: step failed, retrying: %s", id, error);
                    }
                } catch (RuntimeException again) {
                    LOG.warnf("rollout %d: step failed (%s) and could not be recorded: %s", id, error,
                            again.getMessage());
                }
            }
        }
        return due.size();
    }
}
