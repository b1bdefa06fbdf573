package dev.berth.apps;

import dev.berth.kube.ClusterCache;
import dev.berth.kube.Names;
import dev.berth.kube.RegionInfo;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads apps' live status from the regions' watch caches; never calls a cluster, so pages stay fast. The state word,
 * its reason and the cluster's message come from {@link AppHealth}, for one app ({@link #read}) and for lists
 * ({@link #glance}) alike; containers stuck waiting are also listed among the conditions with the kubelet's words.
 */
@ApplicationScoped
public class AppStatusReader {
    private static final int MAX_EVENTS = 15;
    private static final String REPLICA_FAILURE = "ReplicaFailure";
    /** Waiting reasons a container does not get out of by itself. */
    static final Set<String> STUCK = Set.of("CreateContainerConfigError", "ErrImagePull", "ImagePullBackOff",
            "CrashLoopBackOff");
    private final RegionClients regions;

    public AppStatusReader(RegionClients regions) {
        this.regions = regions;
    }

    public AppStatus read(String tenant, App app, RegionInfo region, Instant unreachableSince) {
        String url = "http://" + AppManifests.host(app.name, tenant, app.customDomain, region.baseDomain()) + "/";
        Optional<RegionCluster> cluster = regions.get(region.name());
        if (cluster.isEmpty() || !cluster.get().cache().synced()) {
            AppHealth.Health h = unreachableSince != null ? AppHealth.unreachable()
                    : AppHealth.notSynced(cluster.isPresent());
            return new AppStatus(region.name(), region.simulated(), h.state(), url, app.replicas, 0, 0, List.of(),
                    List.of(), List.of(cluster.isEmpty() ? "region not connected" : "waiting for the region's first sync"),
                    unreachableSince, h.reason(), h.message(), 0);
        }
        ClusterCache cache = cluster.get().cache();
        String ns = Names.namespace(tenant);
        Deployment d = deploymentOf(cache, ns, app.name);
        List<Pod> pods = cache.list(Pod.class, ns).stream()
                .filter(p -> app.name.equals(p.getMetadata().getLabels().get("berth.dev/app")))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
        List<AppStatus.PodInfo> podInfos = pods.stream().map(AppStatusReader::pod).toList();
        Set<String> objects = pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
        objects.add(app.name);
        List<Event> nsEvents = cache.list(Event.class, ns);
        Pattern replicaSets = AppHealth.replicaSets(app.name);
        List<AppStatus.EventInfo> events = nsEvents.stream()
                .filter(e -> e.getInvolvedObject() != null && e.getInvolvedObject().getName() != null
                        && (objects.contains(e.getInvolvedObject().getName())
                        || replicaSets.matcher(e.getInvolvedObject().getName()).matches()))
                .map(AppStatusReader::event)
                .sorted(Comparator.comparing(AppStatus.EventInfo::lastSeen, Comparator.nullsLast(Comparator.reverseOrder())))
                .limit(MAX_EVENTS).toList();
        int ready = 0;
        int updated = 0;
        List<String> conditions = List.of();
        if (d != null && d.getStatus() != null) {
            ready = nz(d.getStatus().getReadyReplicas());
            updated = nz(d.getStatus().getUpdatedReplicas());
            conditions = d.getStatus().getConditions() == null ? List.of() : d.getStatus().getConditions().stream()
                    .map(c -> c.getType() + "=" + c.getStatus() + (c.getReason() == null ? "" : " (" + c.getReason() + ")")
                            + (REPLICA_FAILURE.equals(c.getType()) && c.getMessage() != null ? ": " + c.getMessage() : ""))
                    .toList();
        }
        List<String> stuck = stuck(pods);
        if (!stuck.isEmpty()) {
            conditions = java.util.stream.Stream.concat(conditions.stream(), stuck.stream()).toList();
        }
        // With an autoscaler the replicas wanted are its latest decision, which its Deployment carries.
        int desired = app.autoscaler() != null && d != null && d.getSpec() != null && d.getSpec().getReplicas() != null
                ? d.getSpec().getReplicas() : app.replicas;
        AppHealth.Health h = unreachableSince != null ? AppHealth.unreachable()
                : AppHealth.of(app.name, desired, d, pods, nsEvents);
        return new AppStatus(region.name(), region.simulated(), h.state(), url, desired, ready, updated, podInfos,
                events, conditions, unreachableSince, h.reason(), h.message(), h.restarts());
    }

    /**
     * The app's Deployment: {@code <app>} for rolling and recreate; for blue/green and canary apps (several
     * Deployments, see {@link AppLayout}) the one with the most replicas wanted, i.e. the live colour or the
     * stable track.
     */
    static Deployment deploymentOf(ClusterCache cache, String ns, String app) {
        Deployment d = cache.get(Deployment.class, ns, app);
        if (d != null) {
            return d;
        }
        Deployment best = null;
        for (String track : List.of("blue", "green", "stable")) {
            Deployment t = cache.get(Deployment.class, ns, AppLayout.deploymentName(app, track));
            if (t != null && (best == null || replicas(t) > replicas(best))) {
                best = t;
            }
        }
        return best;
    }

    /**
     * Whether an autoscaler of the app scales this Deployment (its replicas are then the autoscaler's decision, not
     * the app's fixed count): one cache lookup, the app's HPA in the version the region serves.
     */
    static boolean autoscaled(ClusterCache cache, String ns, String app, Deployment d) {
        var apis = cache.scalingApis();
        if (d == null || d.getSpec() == null || d.getSpec().getReplicas() == null || apis == null
                || apis.autoscalerKind() == null) {
            return false;
        }
        var hpa = cache.get(apis.autoscalerKind(), ns, app);
        if (hpa == null) {
            return false;
        }
        String target = null;
        if (hpa instanceof io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler h
                && h.getSpec() != null && h.getSpec().getScaleTargetRef() != null) {
            target = h.getSpec().getScaleTargetRef().getName();
        } else if (hpa instanceof io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler h
                && h.getSpec() != null && h.getSpec().getScaleTargetRef() != null) {
            target = h.getSpec().getScaleTargetRef().getName();
        }
        return d.getMetadata().getName().equals(target);
    }

    private static int replicas(Deployment d) {
        return d.getSpec() == null || d.getSpec().getReplicas() == null ? 0 : d.getSpec().getReplicas();
    }

    /** {@code <pod>: <reason>: <message>} for each container stuck waiting. */
    private static List<String> stuck(List<Pod> pods) {
        List<String> found = new java.util.ArrayList<>();
        for (Pod p : pods) {
            if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
                continue;
            }
            for (ContainerStatus c : p.getStatus().getContainerStatuses()) {
                var waiting = c.getState() == null ? null : c.getState().getWaiting();
                if (waiting != null && STUCK.contains(waiting.getReason())) {
                    found.add(p.getMetadata().getName() + ": " + waiting.getReason()
                            + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage()));
                }
            }
        }
        return found;
    }

    private static AppStatus.PodInfo pod(Pod p) {
        List<ContainerStatus> cs = p.getStatus() == null || p.getStatus().getContainerStatuses() == null
                ? List.of() : p.getStatus().getContainerStatuses();
        boolean ready = !cs.isEmpty() && cs.stream().allMatch(c -> Boolean.TRUE.equals(c.getReady()));
        int restarts = cs.stream().mapToInt(c -> nz(c.getRestartCount())).sum();
        String phase = p.getStatus() == null ? "Pending" : p.getStatus().getPhase();
        Instant started = p.getStatus() == null ? null : time(p.getStatus().getStartTime());
        return new AppStatus.PodInfo(p.getMetadata().getName(), phase, ready, restarts, started);
    }

    private static AppStatus.EventInfo event(Event e) {
        Instant last = time(e.getLastTimestamp());
        if (last == null && e.getEventTime() != null) {
            last = time(e.getEventTime().getTime());
        }
        return new AppStatus.EventInfo(e.getType(), e.getReason(), e.getMessage(),
                e.getInvolvedObject().getKind() + "/" + e.getInvolvedObject().getName(), last, nz(e.getCount()));
    }

    private static Instant time(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    /**
     * For lists: each app's health in one region by the same model as {@link #read} ({@link AppHealth}), from
     * indexes of the watch caches: per app of the page its Deployment and its pods (the pod cache's index by app),
     * and the namespace's warning events (the events cache's index by type). The cost follows the page, not the
     * number of pods and events of the tenant, and nothing is older than the caches.
     */
    public Map<String, AppHealth.Health> glance(String tenant, List<AppRow> apps, RegionInfo region,
            Instant unreachableSince) {
        Optional<RegionCluster> cluster = regions.get(region.name());
        boolean synced = cluster.isPresent() && cluster.get().cache().synced();
        Map<String, AppHealth.Health> result = new java.util.HashMap<>();
        if (unreachableSince != null || !synced) {
            AppHealth.Health h = unreachableSince != null ? AppHealth.unreachable()
                    : AppHealth.notSynced(cluster.isPresent());
            apps.forEach(a -> result.put(a.name(), h));
            return result;
        }
        ClusterCache cache = cluster.get().cache();
        String ns = Names.namespace(tenant);
        List<Event> warnings = cache.warnings(ns);
        for (AppRow a : apps) {
            Deployment d = deploymentOf(cache, ns, a.name());
            int wanted = autoscaled(cache, ns, a.name(), d) ? d.getSpec().getReplicas() : a.replicas();
            result.put(a.name(), AppHealth.of(a.name(), wanted, d, cache.podsOf(ns, a.name()), warnings));
        }
        return result;
    }
}
