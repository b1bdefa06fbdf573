package dev.berth.apps;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one status model of an app in one region (ADR 0018), worked out from what the region's watch caches hold: the
 * app's Deployment, its pods and the events of its namespace. Every page and the API show these words, so a list
 * never says <em>Progressing</em> where the app page says <em>Degraded</em>.
 * <ul>
 * <li><b>Running</b>: every desired pod of the current template is ready.</li>
 * <li><b>Progressing</b>: on its way; {@code reason} says what it waits for (the Deployment to appear, pods to be
 * created, scheduled, pulled or to become ready, old pods to go).</li>
 * <li><b>Degraded</b>: it serves, or could, but something keeps failing: containers crash-loop ({@code restarts} and
 * the last termination message), or some pods are refused while others run.</li>
 * <li><b>Failed</b>: the cluster refuses it and no pod is ready: a ReplicaSet's {@code FailedCreate} (ResourceQuota,
 * LimitRange, pod security admission), an image that cannot be pulled, a container that may not start
 * ({@code CreateContainerConfigError}); {@code reason} and {@code message} are the cluster's own.</li>
 * <li><b>Stopped</b>: scaled to zero and no pod left.</li>
 * <li><b>Unknown</b>: the region is unreachable (since the status's {@code unreachableSince}) or not synced yet.</li>
 * </ul>
 * Pure functions of Fabric8 objects, so each state is unit-tested from pod and event data without a cluster.
 */
public final class AppHealth {
    /** Restarts from which a container counts as crash-looping even between two back-offs. */
    static final int CRASH_RESTARTS = 3;
    /** Waiting reasons of a container the cluster will not start by itself: the image or the pod spec is refused. */
    static final Set<String> REFUSED = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError", "ErrImageNeverPull");
    static final String CRASH_LOOP = "CrashLoopBackOff";
    private static final String REPLICA_FAILURE = "ReplicaFailure";
    private static final String FAILED_CREATE = "FailedCreate";

    /** The state word, what it is about ({@code reason}), the cluster's words ({@code message}), restarts. */
    public record Health(String state, String reason, String message, int restarts) {
        static Health of(String state, String reason) {
            return new Health(state, reason, null, 0);
        }
    }

    private AppHealth() {
    }

    /**
     * A region that does not answer: the last known state is not shown as current. Since when is the status's
     * {@code unreachableSince}, which pages show as a time.
     */
    public static Health unreachable() {
        return Health.of("Unknown", "region unreachable");
    }

    /** A region without synced caches: nothing is known yet. */
    public static Health notSynced(boolean connected) {
        return Health.of("Unknown", connected ? "waiting for the region's first sync" : "region not connected");
    }

    /**
     * The app's health from its Deployment ({@code d}, null when the cluster has none yet), its pods and the
     * namespace's events (others are ignored), for {@code desired} replicas.
     */
    public static Health of(String app, int desired, Deployment d, List<Pod> pods, List<Event> events) {
        List<Pod> live = pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
        int ready = d == null || d.getStatus() == null ? 0 : nz(d.getStatus().getReadyReplicas());
        int updated = d == null || d.getStatus() == null ? 0 : nz(d.getStatus().getUpdatedReplicas());
        int restarts = live.stream().flatMap(p -> containers(p).stream()).mapToInt(c -> nz(c.getRestartCount())).sum();
        if (d == null) {
            return Health.of("Progressing", "waiting for the region to create the app");
        }
        if (desired == 0) {
            return live.isEmpty() ? Health.of("Stopped", "scaled to 0 replicas")
                    : Health.of("Progressing", "waiting for " + live.size() + " pod(s) to stop");
        }
        Health refused = refused(app, d, live, events, desired);
        if (refused != null) {
            return new Health(ready == 0 ? "Failed" : "Degraded", refused.reason(), refused.message(), restarts);
        }
        Health crash = crashLoop(live, restarts);
        if (crash != null) {
            return crash;
        }
        if (ready >= desired && updated >= desired) {
            return new Health("Running", ready + " of " + desired + " ready", null, restarts);
        }
        return new Health("Progressing", waitingFor(desired, ready, updated, live), null, restarts);
    }

    /**
     * What the cluster refuses: the Deployment's {@code ReplicaFailure} condition (its controller copies a
     * ReplicaSet's {@code FailedCreate} there with the server's message), a recent {@code FailedCreate} event of one
     * of the app's ReplicaSets while pods are missing, or a container whose image or spec is refused.
     */
    static Health refused(String app, Deployment d, List<Pod> pods, List<Event> events, int desired) {
        if (d.getStatus() != null && d.getStatus().getConditions() != null) {
            for (DeploymentCondition c : d.getStatus().getConditions()) {
                if (REPLICA_FAILURE.equals(c.getType()) && "True".equals(c.getStatus())) {
                    return new Health(null, c.getReason() == null ? FAILED_CREATE : c.getReason(), c.getMessage(), 0);
                }
            }
        }
        if (pods.size() < desired) {
            Pattern replicaSet = replicaSets(app);
            Event latest = events.stream().filter(e -> "Warning".equals(e.getType())
                            && FAILED_CREATE.equals(e.getReason()) && e.getInvolvedObject() != null
                            && "ReplicaSet".equals(e.getInvolvedObject().getKind())
                            && e.getInvolvedObject().getName() != null
                            && replicaSet.matcher(e.getInvolvedObject().getName()).matches())
                    .max(Comparator.comparing(AppHealth::lastSeen, Comparator.nullsFirst(Comparator.naturalOrder())))
                    .orElse(null);
            if (latest != null) {
                return new Health(null, FAILED_CREATE, latest.getMessage(), 0);
            }
        }
        for (Pod p : pods) {
            for (ContainerStatus c : containers(p)) {
                ContainerStateWaiting w = c.getState() == null ? null : c.getState().getWaiting();
                if (w != null && REFUSED.contains(w.getReason())) {
                    return new Health(null, w.getReason(), w.getMessage(), 0);
                }
            }
        }
        return null;
    }

    /**
     * Names of the app's ReplicaSets: {@code <deployment>-<pod-template-hash>}, the Deployment being the app or one of
     * its tracks ({@link AppLayout}). The hash has no dash, so another app whose name starts the same never matches.
     */
    static Pattern replicaSets(String app) {
        return Pattern.compile(Pattern.quote(app) + "(-(blue|green|stable|canary))?-[a-z0-9]+");
    }

    /** Containers in {@code CrashLoopBackOff} or restarted {@link #CRASH_RESTARTS} times: the last termination. */
    static Health crashLoop(List<Pod> pods, int restarts) {
        ContainerStatus worst = null;
        for (Pod p : pods) {
            for (ContainerStatus c : containers(p)) {
                ContainerStateWaiting w = c.getState() == null ? null : c.getState().getWaiting();
                boolean looping = w != null && CRASH_LOOP.equals(w.getReason()) || nz(c.getRestartCount()) >= CRASH_RESTARTS;
                if (looping && (worst == null || nz(c.getRestartCount()) > nz(worst.getRestartCount()))) {
                    worst = c;
                }
            }
        }
        if (worst == null) {
            return null;
        }
        return new Health("Degraded", "crash loop: restarted " + restarts + " time" + (restarts == 1 ? "" : "s"),
                lastTermination(worst), restarts);
    }

    /** The container's last termination in words: its message, else its reason and exit code. */
    static String lastTermination(ContainerStatus c) {
        ContainerStateTerminated t = c.getLastState() == null ? null : c.getLastState().getTerminated();
        if (t == null && c.getState() != null) {
            t = c.getState().getTerminated();
        }
        if (t == null) {
            return null;
        }
        String exit = "exit code " + nz(t.getExitCode()) + (t.getReason() == null ? "" : " (" + t.getReason() + ")");
        return t.getMessage() == null || t.getMessage().isBlank() ? exit : t.getMessage().strip() + "; " + exit;
    }

    private static String waitingFor(int desired, int ready, int updated, List<Pod> pods) {
        if (updated < desired) {
            return "waiting for " + (desired - updated) + " of " + desired + " pod(s) of the new version";
        }
        if (pods.size() > desired) {
            return "waiting for " + (pods.size() - desired) + " old pod(s) to stop";
        }
        boolean unscheduled = pods.stream().anyMatch(AppHealth::unscheduled);
        if (unscheduled) {
            return "waiting for pods to be scheduled on a node";
        }
        boolean starting = pods.stream().flatMap(p -> containers(p).stream()).anyMatch(c -> c.getState() != null
                && c.getState().getWaiting() != null);
        return starting ? "waiting for containers to start (pulling the image)"
                : "waiting for " + (desired - ready) + " of " + desired + " pod(s) to become ready";
    }

    /** The scheduler said it cannot place the pod, or nothing has placed or started it yet. */
    private static boolean unscheduled(Pod p) {
        if (p.getStatus() == null) {
            return true;
        }
        boolean refused = p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()));
        return refused || (p.getSpec() == null || p.getSpec().getNodeName() == null) && containers(p).isEmpty();
    }

    private static List<ContainerStatus> containers(Pod p) {
        return p.getStatus() == null || p.getStatus().getContainerStatuses() == null ? List.of()
                : p.getStatus().getContainerStatuses();
    }

    private static Instant lastSeen(Event e) {
        String t = e.getLastTimestamp() != null ? e.getLastTimestamp()
                : e.getEventTime() != null ? e.getEventTime().getTime() : null;
        try {
            return t == null ? null : Instant.parse(t);
        } catch (DateTimeParseException ex) {
            return null;
        }
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }
}
