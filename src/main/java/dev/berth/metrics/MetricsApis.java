package dev.berth.metrics;

import dev.berth.regions.RegionCluster;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which regions serve the resource metrics API ({@code metrics.k8s.io/v1beta1}, served by metrics-server), found by
 * API discovery and asked again every {@code berth.metrics.api-recheck} while missing, and the one read of it: the
 * PodMetrics of a namespace. Simulated regions (the sandbox) have no metrics-server; their pods' use is simulated
 * ({@link SimulatedPodMetrics}).
 */
@ApplicationScoped
public class MetricsApis {
    public static final String API = "metrics.k8s.io/v1beta1";
    public static final String NO_API = "no metrics API in this region";
    public static final String SIMULATED = "simulated";

    /** What Berth knows of a region's metrics API. */
    public enum State { UNKNOWN, MISSING, SERVED, SIMULATED }

    private record Known(State state, long checkedAt) {
    }

    private final Map<String, Known> known = new ConcurrentHashMap<>();
    @Inject
    MetricsConfig config;

    /** The state as last found, without asking the cluster. */
    public State state(String region) {
        Known k = known.get(region);
        return k == null ? State.UNKNOWN : k.state();
    }

    /** Looks the API up unless it is known to be served, or was found missing within the recheck interval. */
    public State detect(RegionCluster cluster) {
        String region = cluster.info().name();
        if (cluster.info().simulated()) {
            known.put(region, new Known(State.SIMULATED, System.nanoTime()));
            return State.SIMULATED;
        }
        Known k = known.get(region);
        if (k != null && (k.state() == State.SERVED
                || System.nanoTime() - k.checkedAt() < config.apiRecheck().toNanos())) {
            return k.state();
        }
        State found = served(cluster.client()) ? State.SERVED : State.MISSING;
        known.put(region, new Known(found, System.nanoTime()));
        return found;
    }

    /** Whether the cluster's discovery lists the PodMetrics resource; throws when the cluster does not answer. */
    static boolean served(KubernetesClient client) {
        APIResourceList resources;
        try {
            resources = client.getApiResources(API);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404 || e.getCode() == 503) {
                return false; // not registered, or its APIService has no backend
            }
            throw e;
        }
        return resources != null && resources.getResources() != null
                && resources.getResources().stream().anyMatch(r -> "pods".equals(r.getName()));
    }

    /** The metrics API's PodMetrics of one namespace, summed per pod. */
    public static List<PodUsage> read(KubernetesClient client, String namespace) {
        List<PodUsage> out = new ArrayList<>();
        for (PodMetrics m : client.top().pods().metrics(namespace).getItems()) {
            long cpu = 0;
            long memory = 0;
            for (ContainerMetrics c : m.getContainers()) {
                cpu += millis(c.getUsage().get("cpu"));
                memory += bytes(c.getUsage().get("memory"));
            }
            out.add(new PodUsage(m.getMetadata().getNamespace() == null ? namespace : m.getMetadata().getNamespace(),
                    m.getMetadata().getName(), cpu, memory));
        }
        return out;
    }

    static long millis(Quantity q) {
        return q == null ? 0 : Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(1000))
                .setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
    }

    static long bytes(Quantity q) {
        return q == null ? 0 : Quantity.getAmountInBytes(q).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
    }
}
