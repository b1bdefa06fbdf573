package dev.berth.reconcile;

import dev.berth.kube.ClusterErrors;
import dev.berth.regions.RegionView;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The writes one region's cluster refuses, per tenant and object, each with its own backoff. A refused object is
 * not written again by every pass over its tenant (each watch event would resend a write that RBAC or admission
 * keeps refusing): it waits for its retry (500 ms, doubling up to {@code berth.regions.max-backoff}), unless what
 * Berth wants of it changes meanwhile, so a fixed image is tried at once. Its retry converges the tenant again, in
 * which only that object and whatever drifted are written. A write that goes through, an object that needs no
 * write any more and an object no longer wanted clear the entry and its backoff.
 *
 * <p>Kept in memory on the region's worker (only the instance holding the region's lease writes there), changed
 * only on the worker's thread; {@link #list} is read by the API's threads.
 */
final class WriteFailures {
    static final long FIRST_BACKOFF_MILLIS = 500;
    private static final Logger LOG = Logger.getLogger(WriteFailures.class);

    /** One refused object: what to show, what was refused, and its retry. */
    private static final class Entry {
        final RegionView.WriteError error;
        final String fingerprint;
        final long backoffMillis;
        volatile boolean due;
        ScheduledFuture<?> retry;

        Entry(RegionView.WriteError error, String fingerprint, long backoffMillis) {
            this.error = error;
            this.fingerprint = fingerprint;
            this.backoffMillis = backoffMillis;
        }
    }

    private final Map<String, Map<String, Entry>> byTenant = new ConcurrentHashMap<>();
    private final String region;
    private final ScheduledExecutorService executor;
    private final Consumer<String> retryTenant;
    private final long maxBackoffMillis;

    /** {@code retryTenant} converges a tenant again (through the worker's queue) when one of its retries is due. */
    WriteFailures(String region, ScheduledExecutorService executor, Consumer<String> retryTenant,
            long maxBackoffMillis) {
        this.region = region;
        this.executor = executor;
        this.retryTenant = retryTenant;
        this.maxBackoffMillis = maxBackoffMillis;
    }

    /** Starts a pass over one tenant's objects; call {@link Pass#finish} when it went through every object. */
    Pass pass(String tenant) {
        return new Pass(tenant);
    }

    /** The refused writes, oldest first. */
    List<RegionView.WriteError> list() {
        return byTenant.values().stream().flatMap(m -> m.values().stream()).map(e -> e.error)
                .sorted(Comparator.comparing(RegionView.WriteError::since).thenComparing(RegionView.WriteError::object))
                .toList();
    }

    /** Whether the tenant has a refused write (tests and logs). */
    boolean refuses(String tenant) {
        return !byTenant.getOrDefault(tenant, Map.of()).isEmpty();
    }

    /**
     * Every refused object is due again and its next refusal starts its backoff afresh: the region returned, or its
     * caches synced, and a full resync follows at once.
     */
    void resetBackoffs() {
        byTenant.values().forEach(m -> m.replaceAll((object, e) -> {
            cancel(e);
            Entry fresh = new Entry(e.error, e.fingerprint, 0);
            fresh.due = true;
            return fresh;
        }));
    }

    /** Forgets everything (this instance no longer writes to the region). */
    void clear() {
        byTenant.values().forEach(m -> m.values().forEach(WriteFailures::cancel));
        byTenant.clear();
    }

    private static void cancel(Entry e) {
        if (e.retry != null) {
            e.retry.cancel(false);
        }
    }

    /** One pass over a tenant's objects: decides which are written and records how it went. */
    final class Pass implements Convergence.Attempts {
        private final String tenant;
        private final Set<String> seen = new HashSet<>();

        private Pass(String tenant) {
            this.tenant = tenant;
        }

        @Override
        public boolean due(String object, String fingerprint) {
            seen.add(object);
            Entry e = byTenant.getOrDefault(tenant, Map.of()).get(object);
            return e == null || e.due || !e.fingerprint.equals(fingerprint);
        }

        @Override
        public void succeeded(String object) {
            remove(object);
        }

        @Override
        public void refused(String object, String fingerprint, RuntimeException error) {
            Map<String, Entry> entries = byTenant.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>());
            Entry before = entries.get(object);
            long backoff = before == null || before.backoffMillis == 0 ? FIRST_BACKOFF_MILLIS
                    : Math.min(before.backoffMillis * 2, maxBackoffMillis);
            var refusal = ClusterErrors.refusal(error);
            RegionView.WriteError shown = new RegionView.WriteError(tenant, object,
                    refusal.map(ClusterErrors.Refusal::code).orElse(null),
                    refusal.map(ClusterErrors.Refusal::message).orElseGet(() -> ClusterErrors.describe(error)),
                    before == null ? Instant.now() : before.error.since());
            Entry e = new Entry(shown, fingerprint, backoff);
            if (before != null) {
                cancel(before);
            }
            if (before == null || !before.error.message().equals(shown.message())) {
                LOG.warnf("region %s: write of %s (tenant %s) refused, retrying it alone: %s%s", region, object,
                        tenant, shown.code() == null ? "" : "HTTP " + shown.code() + ": ", shown.message());
            } else {
                LOG.debugf("region %s: write of %s still refused, next try in %d ms", region, object, backoff);
            }
            entries.put(object, e);
            e.retry = executor.schedule(() -> {
                if (entries.get(object) == e) {
                    e.due = true;
                    retryTenant.accept(tenant);
                }
            }, backoff, TimeUnit.MILLISECONDS);
        }

        /** The pass went through every object: entries of objects it no longer met (not wanted, gone) leave. */
        void finish() {
            Map<String, Entry> entries = byTenant.get(tenant);
            if (entries != null) {
                List.copyOf(entries.keySet()).stream().filter(o -> !seen.contains(o)).forEach(this::remove);
                byTenant.computeIfPresent(tenant, (t, m) -> m.isEmpty() ? null : m);
            }
        }

        private void remove(String object) {
            Map<String, Entry> entries = byTenant.get(tenant);
            Entry e = entries == null ? null : entries.remove(object);
            if (e != null) {
                cancel(e);
            }
        }
    }
}
