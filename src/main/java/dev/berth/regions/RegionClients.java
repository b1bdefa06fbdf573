package dev.berth.regions;

import dev.berth.kube.WriteCounter;
import dev.berth.secrets.SecretBox;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Holds one live {@link RegionCluster} per region, keyed by region name. Clusters are connected once at start-up
 * (and when a region is added); each has its own client, so a slow or unreachable cluster only ever affects its
 * own region.
 */
@ApplicationScoped
public class RegionClients {
    private static final Logger LOG = Logger.getLogger(RegionClients.class);
    private final Map<String, RegionCluster> clusters = new ConcurrentHashMap<>();
    private final Map<String, SimulatedKubelet> kubelets = new ConcurrentHashMap<>();
    private final RegionsConfig config;
    private final WriteCounter counter;
    private final SecretBox secrets;
    private final Instance<ImageInspector> images;

    /** {@code images}: how simulated regions' kubelets look images up (Berth's registry, when builds offer it). */
    public RegionClients(RegionsConfig config, WriteCounter counter, SecretBox secrets, Instance<ImageInspector> images) {
        this.config = config;
        this.counter = counter;
        this.secrets = secrets;
        this.images = images;
    }

    /** Connects a region and starts its watch caches; returns the existing connection when already connected. */
    public RegionCluster connect(Region region) {
        return clusters.computeIfAbsent(region.name, n -> {
            String kubeconfig = region.kubeconfigSealed == null ? null : secrets.decrypt(region.kubeconfigSealed);
            RegionCluster cluster = RegionCluster.connect(region, kubeconfig, config, counter);
            cluster.cache().start();
            if (region.simulated) {
                kubelets.put(n, new SimulatedKubelet(cluster.client(), config.sandbox().readyDelay(),
                        images.isResolvable() ? images.get() : ImageInspector.unknown()));
            }
            LOG.infof("region %s: connected (%s%s)", n, region.connectionKind, region.simulated ? ", simulated" : "");
            return cluster;
        });
    }

    /** Closes the region's connection (and its simulated kubelet), if it has one. */
    public void disconnect(String region) {
        SimulatedKubelet kubelet = kubelets.remove(region);
        if (kubelet != null) {
            kubelet.close();
        }
        RegionCluster cluster = clusters.remove(region);
        if (cluster != null) {
            cluster.close();
            LOG.infof("region %s: disconnected", region);
        }
    }

    public Optional<RegionCluster> get(String region) {
        return Optional.ofNullable(clusters.get(region));
    }

    public Collection<RegionCluster> all() {
        return clusters.values();
    }

    void onStop(@Observes ShutdownEvent event) {
        kubelets.values().forEach(SimulatedKubelet::close);
        clusters.values().forEach(RegionCluster::close);
        clusters.clear();
    }
}
