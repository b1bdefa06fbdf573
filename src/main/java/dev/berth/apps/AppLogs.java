package dev.berth.apps;

import dev.berth.api.ApiException;
import dev.berth.kube.ClusterCache;
import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.BytesLimitTerminateTimeTailPrettyLoggable;
import io.fabric8.kubernetes.client.dsl.Loggable;
import io.fabric8.kubernetes.client.dsl.TailPrettyLoggable;
import io.fabric8.kubernetes.client.dsl.TimeTailPrettyLoggable;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The runtime logs of an app's pods, merged across pods and regions: each line carries its region, pod and
 * container, and the time the cluster stamped on it. Logs come from each region's API server ({@code pods/log},
 * which reaches the node's kubelet); pods are found in the region's watch cache, so following picks up pods that
 * start later (a rollout, a restart) without asking the cluster for lists.
 *
 * <p>A {@link Session} holds one log stream per pod; closing it closes every stream at once, so no stream outlives
 * the client that asked for it. {@link #openStreams()} counts the streams open on this instance.
 */
@ApplicationScoped
public class AppLogs {
    /** Most lines per pod a request may ask for. */
    public static final int MAX_TAIL = 5000;
    /** Lines per pod when a request does not say. */
    public static final int DEFAULT_TAIL = 100;
    /** Longest look back a request may ask for, in seconds (one week). */
    public static final int MAX_SINCE = 7 * 24 * 3600;
    static final long POD_POLL_MILLIS = 500;

    @Inject
    AppService apps;
    @Inject
    RegionClients clients;

    private final AtomicInteger open = new AtomicInteger();
    private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "app-log-reader");
        t.setDaemon(true);
        return t;
    });

    /** One line of an app's log. {@code time} is the cluster's timestamp (null when it sent none). */
    public record Line(String region, String pod, String container, Instant time, String text) {
    }

    /**
     * What to read: only one region or pod (null: all), the last {@code tail} lines of each pod or those of the last
     * {@code sinceSeconds}, the previous container's log (a crash-looping pod), and whether to follow new lines.
     */
    public record Query(String region, String pod, Integer tail, Integer sinceSeconds, boolean previous,
            boolean follow) {
        /** Checks the numbers, naming the parameter at fault. */
        public Query {
            if (tail != null && (tail < 0 || tail > MAX_TAIL)) {
                throw ApiException.invalid("tail", "must be between 0 and " + MAX_TAIL);
            }
            if (sinceSeconds != null && (sinceSeconds < 1 || sinceSeconds > MAX_SINCE)) {
                throw ApiException.invalid("since", "must be between 1 and " + MAX_SINCE + " seconds");
            }
            if (previous && follow) {
                throw ApiException.invalid("previous", "the previous container has ended; it cannot be followed");
            }
        }
    }

    /** Open log streams; {@link #close()} ends all of them. */
    public final class Session implements AutoCloseable {
        private final Map<String, LogWatch> watches = new ConcurrentHashMap<>();
        private final Set<String> started = ConcurrentHashMap.newKeySet();
        /** The time of the last line sent per pod, so that a stream opened again does not repeat lines. */
        private final Map<String, Instant> lastTime = new ConcurrentHashMap<>();
        private final List<String> notes = new ArrayList<>();
        private volatile boolean closed;
        private volatile boolean following;

        /** What the session could not read, in words (a region not connected, a simulated region). */
        public List<String> notes() {
            return notes;
        }

        public boolean closed() {
            return closed;
        }

        /** False when no region of the app can be followed (none connected, or only simulated ones). */
        public boolean following() {
            return following;
        }

        @Override
        public void close() {
            closed = true;
            watches.values().forEach(w -> {
                w.close();
                open.decrementAndGet();
            });
            watches.clear();
        }
    }

    /** Log streams open on this instance (one per followed pod). */
    public int openStreams() {
        return open.get();
    }

    /**
     * Reads the app's logs: without {@code follow}, returns once every pod's lines were delivered (sorted by time
     * across pods); with it, keeps delivering new lines, and those of pods that start later, until the session is
     * closed. {@code sink} is called from several threads, one line at a time.
     */
    public Session read(long tenantId, String tenant, String app, Query q, Consumer<Line> sink)
            throws InterruptedException {
        List<String> regions = apps.regionNames(tenantId, app);
        if (q.region() != null && !regions.contains(q.region())) {
            throw ApiException.invalid("region", "the app does not run in region '" + q.region() + "'");
        }
        Session session = new Session();
        List<RegionCluster> clusters = new ArrayList<>();
        for (String region : regions) {
            if (q.region() != null && !q.region().equals(region)) {
                continue;
            }
            Optional<RegionCluster> c = clients.get(region);
            if (c.isEmpty() || !c.get().cache().synced()) {
                session.notes.add("region " + region + ": not connected, its logs are missing");
            } else if (c.get().info().simulated()) {
                session.notes.add("region " + region + ": simulated, its pods write no logs");
            } else {
                clusters.add(c.get());
            }
        }
        if (!q.follow()) {
            List<Line> lines = new ArrayList<>();
            for (RegionCluster c : clusters) {
                for (Pod p : pods(c.cache(), tenant, app, q.pod())) {
                    lines.addAll(snapshot(c, p, q));
                }
            }
            lines.sort(Comparator.comparing(Line::time, Comparator.nullsFirst(Comparator.naturalOrder())));
            lines.forEach(sink);
            return session;
        }
        if (clusters.isEmpty()) {
            session.close();
            return session;
        }
        session.following = true;
        readers.submit(() -> {
            try {
                while (!session.closed) {
                    for (RegionCluster c : clusters) {
                        for (Pod p : pods(c.cache(), tenant, app, q.pod())) {
                            String key = c.info().name() + "/" + p.getMetadata().getName();
                            if (running(p) && session.started.add(key)) {
                                follow(session, key, c, p, q, sink);
                            }
                        }
                    }
                    Thread.sleep(POD_POLL_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                session.close();
            }
        });
        return session;
    }

    static List<Pod> pods(ClusterCache cache, String tenant, String app, String pod) {
        return cache.list(Pod.class, Names.namespace(tenant)).stream()
                .filter(p -> app.equals(p.getMetadata().getLabels().get(Labels.APP)))
                .filter(p -> pod == null || pod.equals(p.getMetadata().getName()))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
    }

    private static boolean running(Pod p) {
        return p.getStatus() != null && p.getStatus().getContainerStatuses() != null && p.getStatus()
                .getContainerStatuses().stream().anyMatch(s -> s.getState() != null && (s.getState().getRunning() != null
                        || s.getState().getTerminated() != null));
    }

    /**
     * The log request for one pod: with the cluster's timestamps, the previous container's log if asked, from
     * {@code after} (a stream followed again) or the look-back asked for, and the last lines asked for (100 unless
     * the request looks back in time).
     */
    private static Loggable options(KubernetesClient client, String ns, String pod, Query q, Instant after) {
        BytesLimitTerminateTimeTailPrettyLoggable stamped = client.pods().inNamespace(ns).withName(pod)
                .inContainer(AppManifests.CONTAINER).usingTimestamps();
        TimeTailPrettyLoggable which = q.previous() ? stamped.terminated() : stamped;
        if (after != null) {
            return which.sinceTime(after.toString());
        }
        if (q.sinceSeconds() != null) {
            TailPrettyLoggable since = which.sinceSeconds(q.sinceSeconds());
            return q.tail() == null ? since : since.tailingLines(q.tail());
        }
        return which.tailingLines(q.tail() == null ? DEFAULT_TAIL : q.tail());
    }

    private List<Line> snapshot(RegionCluster c, Pod p, Query q) {
        String ns = p.getMetadata().getNamespace();
        String name = p.getMetadata().getName();
        List<Line> lines = new ArrayList<>();
        try {
            String text = options(c.client(), ns, name, q, null).getLog();
            if (text != null) {
                text.lines().forEach(l -> lines.add(line(c.info().name(), name, l)));
            }
        } catch (RuntimeException e) {
            lines.add(new Line(c.info().name(), name, AppManifests.CONTAINER, null,
                    "(logs unavailable: " + e.getMessage() + ")"));
        }
        return lines;
    }

    private void follow(Session session, String key, RegionCluster c, Pod p, Query q, Consumer<Line> sink) {
        String ns = p.getMetadata().getNamespace();
        String name = p.getMetadata().getName();
        Instant after = session.lastTime.get(key);
        LogWatch watch = options(c.client(), ns, name, q, after).watchLog();
        open.incrementAndGet();
        session.watches.put(key, watch);
        if (session.closed) { // closed while this stream opened: close it too
            if (session.watches.remove(key) != null) {
                watch.close();
                open.decrementAndGet();
            }
            return;
        }
        readers.submit(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
                String l;
                while (!session.closed && (l = r.readLine()) != null) {
                    Line line = line(c.info().name(), name, l);
                    if (after != null && line.time() != null && !line.time().isAfter(after)) {
                        continue; // sent before this stream was opened again
                    }
                    if (line.time() != null) {
                        session.lastTime.put(key, line.time());
                    }
                    sink.accept(line);
                }
            } catch (Exception e) {
                // the stream was closed (the client left) or the pod went away
            } finally {
                if (session.watches.remove(key) != null) {
                    watch.close();
                    open.decrementAndGet();
                }
                // The pod's container may restart: it is followed again at the next look at the cache.
                session.started.remove(key);
            }
        });
    }

    /** A line as the API server sends it with timestamps: {@code <RFC 3339 time> <text>}. */
    static Line line(String region, String pod, String raw) {
        int space = raw.indexOf(' ');
        if (space > 0) {
            try {
                return new Line(region, pod, AppManifests.CONTAINER, Instant.parse(raw.substring(0, space)),
                        raw.substring(space + 1));
            } catch (RuntimeException e) {
                // no timestamp in front: the whole line is text
            }
        }
        return new Line(region, pod, AppManifests.CONTAINER, null, raw);
    }

    void stop(@Observes ShutdownEvent e) {
        readers.shutdownNow();
    }
}
