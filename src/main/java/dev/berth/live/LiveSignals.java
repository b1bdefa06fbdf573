package dev.berth.live;

import dev.berth.kube.DesiredStateChanged;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The in-process "something changed" signal that keeps the pages live: a tenant's key (its slug) when anything of
 * that tenant changed (a committed change, a build's state, an object in a region's watch cache), {@link #PLATFORM}
 * when something every page may show changed (a region's health, a region registered or removed). It carries no
 * data: a page that hears it renders itself again through an ordinary, authorized request.
 *
 * <p>Signals from this instance's own commits and caches are heard here at once; {@link #changed} also fires a
 * {@link Broadcast}, which the desired-state feed passes to the other instances over PostgreSQL NOTIFY, and they
 * come back through {@link #heard}. Each subscription is debounced: signals within {@link LiveConfig#debounce()} of
 * the first become one call.
 */
@ApplicationScoped
public class LiveSignals {
    private static final Logger LOG = Logger.getLogger(LiveSignals.class);
    /** The key of changes that are not a tenant's. */
    public static final String PLATFORM = "*";

    /** A signal to pass on to the other instances. */
    public record Broadcast(String key) {
    }

    @Inject
    LiveConfig config;
    @Inject
    Event<Broadcast> broadcast;
    @Inject
    TransactionSynchronizationRegistry transactions;

    private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "live-signals");
        t.setDaemon(true);
        return t;
    });

    /** One listener: told (debounced, on the signals' own thread) of every signal whose key it wants. */
    public final class Subscription implements AutoCloseable {
        private final Predicate<String> keys;
        private final Consumer<String> onChange;
        private final AtomicBoolean pending = new AtomicBoolean();
        private volatile boolean closed;

        private Subscription(Predicate<String> keys, Consumer<String> onChange) {
            this.keys = keys;
            this.onChange = onChange;
        }

        void signal(String key) {
            if (closed || timer.isShutdown() || !keys.test(key) || !pending.compareAndSet(false, true)) {
                return;
            }
            try {
                schedule(key);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // Berth is stopping (a commit that ended after the timer stopped): no page listens any more.
                pending.set(false);
            }
        }

        private void schedule(String key) {
            timer.schedule(() -> {
                pending.set(false);
                if (!closed) {
                    try {
                        onChange.accept(key);
                    } catch (RuntimeException e) {
                        LOG.debugf("a live listener failed: %s", e.getMessage());
                    }
                }
            }, config.debounce().toMillis(), TimeUnit.MILLISECONDS);
        }

        public boolean closed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
            subscriptions.remove(this);
        }
    }

    /** Listens to the signals whose key {@code keys} accepts until the subscription is closed. */
    public Subscription subscribe(Predicate<String> keys, Consumer<String> onChange) {
        Subscription s = new Subscription(keys, onChange);
        subscriptions.add(s);
        return s;
    }

    /** Subscriptions open on this instance (metrics and tests). */
    public int open() {
        return subscriptions.size();
    }

    /** Something changed that this instance alone sees (its own watch caches): no other instance is told. */
    public void local(String key) {
        if (key != null) {
            subscriptions.forEach(s -> s.signal(key));
        }
    }

    /** Something changed: the listeners here are told, and the other instances through the broadcast. */
    public void changed(String key) {
        if (key == null) {
            return;
        }
        local(key);
        try {
            broadcast.fire(new Broadcast(key));
        } catch (RuntimeException e) {
            LOG.debugf("could not pass a live signal on: %s", e.getMessage());
        }
    }

    /** A signal another instance sent. */
    public void heard(String key) {
        local(key);
    }

    /**
     * Signals {@code key} once the current transaction commits (not at all if it rolls back); at once when there is
     * no transaction.
     */
    public void afterCommit(String key) {
        if (key == null) {
            return;
        }
        if (transactions.getTransactionKey() == null) {
            changed(key);
            return;
        }
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    changed(key);
                }
            }
        });
    }

    void onDesiredState(@Observes(during = TransactionPhase.AFTER_SUCCESS) DesiredStateChanged change) {
        // The desired-state feed already tells the other instances of this one.
        local(change.tenantSlug());
    }

    void stop(@Observes ShutdownEvent e) {
        timer.shutdownNow();
    }
}
