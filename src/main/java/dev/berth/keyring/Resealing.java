package dev.berth.keyring;

import dev.berth.secrets.SecretBox;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/** Runs {@link SecretRotation#resealAll()} in the background, one run at a time per instance, and keeps its result. */
@ApplicationScoped
public class Resealing {
    private static final Logger LOG = Logger.getLogger(Resealing.class);
    @Inject
    SecretRotation rotation;
    @Inject
    SecretBox box;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile KeyRingView.LastRun last;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "secrets-reseal");
        t.setDaemon(true);
        return t;
    });

    /** Starts a run unless one is going on here; returns whether it started one. */
    public boolean start() {
        if (!running.compareAndSet(false, true)) {
            return false;
        }
        executor.submit(() -> {
            try {
                SecretRotation.Result r = rotation.resealAll();
                last = new KeyRingView.LastRun(Instant.now().toString(), r.resealed(), r.failed(), r.errors());
            } catch (RuntimeException e) {
                LOG.warnf(e, "re-sealing stopped: %s", e.getMessage());
                last = new KeyRingView.LastRun(Instant.now().toString(), 0, 0,
                        java.util.List.of("stopped: " + e.getMessage()));
            } finally {
                running.set(false);
            }
        });
        return true;
    }

    public boolean running() {
        return running.get();
    }

    public KeyRingView view() {
        var values = rotation.census();
        String current = box.ring().currentId();
        long remaining = values.entrySet().stream().filter(e -> !e.getKey().equals(current))
                .mapToLong(java.util.Map.Entry::getValue).sum();
        return new KeyRingView(current, box.ring().ids(), values, remaining, running.get(), last);
    }

    void stop(@Observes ShutdownEvent e) {
        executor.shutdownNow();
    }
}
