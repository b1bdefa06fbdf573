package dev.berth.releases;

import dev.berth.apps.AppLayout;
import dev.berth.apps.LayoutManifests;
import dev.berth.kube.ClusterCache;
import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.placement.RegionReplicas;
import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads how far a release has come in each region from the regions' watch caches (never from the API servers):
 * ready pods of the release per track, pods of other releases still there, and the events that matter, in plain
 * words (image pull errors, crash loops, failing probes, unschedulable pods).
 */
@ApplicationScoped
public class RolloutProgress {
    private final RegionClients clients;

    public RolloutProgress(RegionClients clients) {
        this.clients = clients;
    }

    /**
     * One track (colour, canary/stable track, or the single Deployment) of an app in one region. {@code ready}
     * counts ready pods of {@code release}; {@code others} counts pods of the track running another release.
     * {@code known} is false while the region is not connected or not synced.
     */
    public record TrackProgress(String region, String track, int release, int desired, int ready, int total,
            int others, boolean known, List<String> problems) {
        public int readyPercent() {
            return desired == 0 ? 100 : Math.min(100, ready * 100 / desired);
        }

        public String label() {
            return region + " · " + track + " · release #" + release;
        }

        /** All desired pods of the release are ready and no pod of another release is left in the track. */
        public boolean complete() {
            return known && ready >= desired && others == 0;
        }
    }

    /** The regions the app is placed in, by name. */
    static List<Region> regionsOf(long tenantId, String app) {
        return Panache.getEntityManager().createQuery("select r from Region r where r.id in (select ar.regionId "
                + "from AppRegion ar, App a where a.id = ar.appId and a.tenantId = :t and a.name = :a) order by r.name",
                Region.class).setParameter("t", tenantId).setParameter("a", app).getResultList();
    }

    /** The regions the tenant uses, by name. */
    @SuppressWarnings("unchecked")
    static List<Region> regionsOf(long tenantId) {
        return Panache.getEntityManager().createQuery(
                "select r from Region r where r.id in (select tr.regionId from TenantRegion tr where tr.tenantId = :t) "
                        + "order by r.name", Region.class).setParameter("t", tenantId).getResultList();
    }

    public List<TrackProgress> track(long tenantId, String tenant, String app, String strategy, String label,
            int release, int desired) {
        List<TrackProgress> result = new ArrayList<>();
        for (Region r : regionsOf(tenantId, app)) {
            result.add(track(r.name, tenant, app, strategy, label, release, desired));
        }
        return result;
    }

    TrackProgress track(String region, String tenant, String app, String strategy, String label, int release,
            int appDesired) {
        // A region with its own replica count runs the track scaled to it (see RegionReplicas).
        int desired = RegionReplicas.desiredIn(tenant, app, region, appDesired);
        String name = label == null ? app : label;
        if (edgeCacheIn(tenant, app, region)) {
            // The region runs nginx in front of the primary, not the app: no pod there carries a release, and the
            // region serves whatever the primary runs, so it never holds a release back.
            return new TrackProgress(region, name, release, 0, 0, 0, 0, true, List.of());
        }
        Optional<RegionCluster> cluster = clients.get(region);
        if (cluster.isEmpty() || !cluster.get().cache().synced()) {
            return new TrackProgress(region, name, release, desired, 0, 0, 0, false,
                    List.of(cluster.isEmpty() ? "region not connected" : "waiting for the region's watch caches"));
        }
        ClusterCache cache = cluster.get().cache();
        String ns = Names.namespace(tenant);
        int ready = 0;
        int total = 0;
        int others = 0;
        Set<String> podNames = new LinkedHashSet<>();
        Set<String> problems = new LinkedHashSet<>();
        for (Pod p : cache.list(Pod.class, ns)) {
            Map<String, String> l = p.getMetadata().getLabels();
            if (l == null || !app.equals(l.get(Labels.APP)) || !inTrack(l, label)
                    || p.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (!Integer.toString(release).equals(l.get(Labels.RELEASE))) {
                others++;
                continue;
            }
            total++;
            podNames.add(p.getMetadata().getName());
            if (ready(p)) {
                ready++;
            }
            problems.addAll(containerProblems(p));
        }
        for (Event e : cache.list(Event.class, ns)) {
            if (e.getInvolvedObject() != null && podNames.contains(e.getInvolvedObject().getName())
                    && "Warning".equals(e.getType())) {
                String words = plainWords(e.getReason(), e.getMessage());
                if (words != null) {
                    problems.add(words);
                }
            }
        }
        return new TrackProgress(region, name, release, desired, ready, total, others, true, List.copyOf(problems));
    }

    /**
     * Whether a pod with labels {@code l} belongs to the track {@code label}: its colour or track label says so, and
     * the single Deployment of rolling and recreate (null) owns the pods that carry neither (so that while a strategy
     * change runs both, each Deployment's pods are told apart).
     */
    static boolean inTrack(Map<String, String> l, String label) {
        if (label == null) {
            return l.get(Labels.COLOR) == null && l.get(Labels.TRACK) == null;
        }
        return label.equals(l.get(AppLayout.labelKey(label)));
    }

    /**
     * The regions of the app whose watch cache does not show its Service selecting exactly what {@code strategy}
     * selects there ({@link LayoutManifests#serviceSelector}), i.e. where a switch of the Service has not been seen
     * yet. Regions serving the app as an edge cache have a Service of their own and are left out.
     */
    List<String> servicesNotSwitched(long tenantId, String tenant, String app, String strategy, String liveColor) {
        List<String> waiting = new ArrayList<>();
        for (Region r : regionsOf(tenantId, app)) {
            if (edgeCacheIn(tenant, app, r.name)) {
                continue;
            }
            Optional<RegionCluster> cluster = clients.get(r.name);
            Service s = cluster.isEmpty() || !cluster.get().cache().synced() ? null
                    : cluster.get().cache().get(Service.class, Names.namespace(tenant), app);
            Map<String, String> want = Labels.appSelector(tenant, app);
            if (s != null) {
                want.putAll(LayoutManifests.serviceSelector(strategy, liveColor, cluster.get().info()));
            }
            if (s == null || s.getSpec() == null || !want.equals(s.getSpec().getSelector())) {
                waiting.add(r.name);
            }
        }
        return waiting;
    }

    /** Whether {@code region} serves the app as an edge cache (an edge-cache placement where it is a replica). */
    static boolean edgeCacheIn(String tenant, String app, String region) {
        return Panache.getEntityManager().createQuery("select count(p) from Placement p, AppRegion ar, App a, Tenant t, "
                + "Region r where p.mode = 'edge-cache' and p.appId = a.id and ar.appId = a.id and ar.role = 'replica' "
                + "and ar.regionId = r.id and r.name = :r and a.name = :a and a.tenantId = t.id and t.slug = :t",
                Long.class).setParameter("r", region).setParameter("a", app).setParameter("t", tenant)
                .getSingleResult() > 0;
    }

    private static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static List<String> containerProblems(Pod p) {
        List<String> found = new ArrayList<>();
        if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
            return found;
        }
        for (ContainerStatus cs : p.getStatus().getContainerStatuses()) {
            if (cs.getState() != null && cs.getState().getWaiting() != null) {
                String words = plainWords(cs.getState().getWaiting().getReason(), cs.getState().getWaiting().getMessage());
                if (words != null) {
                    found.add(words);
                }
            }
            if (cs.getRestartCount() != null && cs.getRestartCount() >= 3) {
                found.add("the container keeps crashing (restarted " + cs.getRestartCount() + " times)");
            }
        }
        return found;
    }

    /** A Kubernetes reason and message as a sentence for people; null for reasons that do not matter here. */
    static String plainWords(String reason, String message) {
        if (reason == null) {
            return null;
        }
        String m = message == null ? "" : ": " + message;
        return switch (reason) {
            case "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull" ->
                    "the image cannot be pulled" + m;
            case "Failed" -> message != null && message.toLowerCase().contains("pull")
                    ? "the image cannot be pulled" + m : "a container failed" + m;
            case "BackOff", "CrashLoopBackOff" -> "the container keeps crashing (crash loop)" + m;
            case "Unhealthy" -> message != null && message.startsWith("Liveness")
                    ? "the liveness probe fails, so the container is restarted" + m
                    : "the readiness probe fails, so the pod gets no traffic" + m;
            case "FailedScheduling" -> "pods cannot be scheduled (not enough room in the cluster)" + m;
            case "FailedCreate" -> "pods cannot be created (quota or admission)" + m;
            case "CreateContainerConfigError" -> "the container configuration is invalid" + m;
            default -> null;
        };
    }
}
