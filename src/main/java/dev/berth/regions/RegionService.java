package dev.berth.regions;

import dev.berth.api.ApiException;
import dev.berth.kube.RegionInfo;
import dev.berth.live.LiveSignals;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Registers regions and records their health. At start-up it makes sure the configured default region exists:
 * the sandbox when enabled, otherwise the cluster named by the configuration, $KUBECONFIG, ~/.kube/config or the
 * pod's service account, in that order. Region views carry the writes the region's cluster refuses, as this
 * instance's reconciler knows them ({@link WriteErrorSource}).
 */
@ApplicationScoped
public class RegionService {
    private static final Logger LOG = Logger.getLogger(RegionService.class);
    private final RegionsConfig config;
    @Inject
    Instance<WriteErrorSource> writeErrorSources;
    @Inject
    LiveSignals live;

    /**
     * The writes a region's cluster currently refuses, oldest first. Implemented by the reconcile workers, which
     * keep them in memory; only the instance holding the region's lease writes there, so only it knows them.
     */
    public interface WriteErrorSource {
        List<RegionView.WriteError> writeErrors(String region);
    }

    public RegionService(RegionsConfig config) {
        this.config = config;
    }

    /** The refused writes of the region known to this instance (see {@link WriteErrorSource}). */
    public List<RegionView.WriteError> writeErrors(String region) {
        return writeErrorSources.stream().flatMap(s -> s.writeErrors(region).stream())
                .sorted(Comparator.comparing(RegionView.WriteError::since)).toList();
    }

    @Transactional
    public List<RegionInfo> list() {
        return Region.listAllByName().stream().map(Region::info).toList();
    }

    @Transactional
    public List<Region> listWithHealth() {
        return Region.listAllByName();
    }

    /** Every region as the API shows it to this caller (admins also see connections and tenants). */
    @Transactional
    public List<RegionView> views(boolean admin) {
        return Region.listAllByName().stream()
                .map(r -> RegionView.of(r, admin, admin ? RegionAdmin.grantedSlugs(r.id) : null, writeErrors(r.name)))
                .toList();
    }

    @Transactional
    public RegionView view(String name, boolean admin) {
        Region r = require(name);
        return RegionView.of(r, admin, admin ? RegionAdmin.grantedSlugs(r.id) : null, writeErrors(r.name));
    }

    @Transactional
    public Region require(String name) {
        Region r = Region.findByName(name);
        if (r == null) {
            throw ApiException.notFound("region", name);
        }
        return r;
    }

    /** Stores a new region; its name must be free. Connect it with {@code RegionConnections}. */
    @Transactional
    public Region register(Region r) {
        if (Region.findByName(r.name) != null) {
            throw ApiException.conflict("name", "a region named '" + r.name + "' already exists");
        }
        r.persist();
        return r;
    }

    /** Creates or updates the default region from configuration; empty when no cluster can be found. */
    @Transactional
    public Optional<Region> ensureDefaultRegion() {
        RegionsConfig.DefaultRegion d = config.defaultRegion();
        Region r = Region.findByName(d.name());
        if (r == null) {
            r = new Region();
            r.name = d.name();
        }
        if (!detectConnection(r, d)) {
            if (r.id == null) {
                LOG.warnf("no Kubernetes cluster configured: set KUBECONFIG, run inside a pod, or set BERTH_SANDBOX=true"
                        + " to try Berth with the simulated sandbox region");
                return Optional.empty();
            }
            return Optional.of(r);
        }
        r.displayName = r.simulated ? d.displayName() + " (sandbox, simulated)" : d.displayName();
        r.baseDomain = d.baseDomain();
        r.ingressClass = d.ingressClass();
        r.ingressNamespace = d.ingressNamespace();
        if (r.publishesDns == null) {
            r.publishesDns = true;
        }
        if (r.id == null) {
            r.persist();
        }
        return Optional.of(r);
    }

    private boolean detectConnection(Region r, RegionsConfig.DefaultRegion d) {
        r.simulated = false;
        r.kubeContext = d.context().orElse(null);
        if (config.sandbox().enabled()) {
            r.connectionKind = Region.ConnectionKind.SANDBOX;
            r.kubeconfigPath = null;
            r.simulated = true;
            return true;
        }
        if (d.apiServerUrl().isPresent()) {
            r.connectionKind = Region.ConnectionKind.URL;
            r.kubeconfigPath = d.apiServerUrl().get();
            return true;
        }
        Optional<String> kubeconfig = d.kubeconfig().or(() -> Optional.ofNullable(System.getenv("KUBECONFIG")))
                .or(() -> Optional.of(System.getProperty("user.home") + "/.kube/config"))
                .filter(p -> Files.isReadable(Path.of(p)));
        if (kubeconfig.isPresent()) {
            r.connectionKind = Region.ConnectionKind.KUBECONFIG;
            r.kubeconfigPath = kubeconfig.get();
            return true;
        }
        if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
            r.connectionKind = Region.ConnectionKind.IN_CLUSTER;
            r.kubeconfigPath = null;
            return true;
        }
        return false;
    }

    /** Records one health probe. Only a change of reachability or a new error is worth a log line. */
    public void recordHealth(String region, boolean ok, String version, Integer latencyMs, String error) {
        QuarkusTransaction.requiringNew().run(() -> {
            Region r = Region.findByName(region);
            if (r == null) {
                return;
            }
            Instant now = Instant.now();
            RegionHealth was = r.health();
            String wasError = r.lastError;
            String wasVersion = r.kubernetesVersion;
            if (ok) {
                RegionHealth before = r.health();
                r.moveHealth(RegionHealth.REACHABLE, now);
                if (before == RegionHealth.UNREACHABLE) {
                    LOG.infof("region %s: reachable again", region);
                }
                r.lastOkAt = now;
                r.kubernetesVersion = version;
                r.latencyMs = latencyMs;
                r.lastError = null;
            } else {
                if (r.moveHealth(RegionHealth.UNREACHABLE, now)) {
                    LOG.warnf("region %s: unreachable: %s", region, error);
                }
                r.lastError = error == null ? null : error.substring(0, Math.min(error.length(), 1000));
            }
            // Pages show health, error and version; a probe that changes none of them (only the latency) is not news.
            if (was != r.health() || !java.util.Objects.equals(wasError, r.lastError)
                    || !java.util.Objects.equals(wasVersion, r.kubernetesVersion)) {
                live.afterCommit(LiveSignals.PLATFORM);
            }
        });
    }

    /** Records how DNS publishing goes in the region (null: it does not publish). */
    public void recordDnsStatus(String region, String status) {
        QuarkusTransaction.requiringNew().run(() ->
                Region.update("dnsStatus = ?1 where name = ?2", status, region));
    }

    /** Whether the region publishes DNS (see {@link Region#publishesDns}). */
    public boolean publishesDns(long regionId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Region r = Region.findById(regionId);
            return r != null && Boolean.TRUE.equals(r.publishesDns);
        });
    }

    public void recordSync(String region) {
        QuarkusTransaction.requiringNew().run(() ->
                Region.update("lastSyncAt = ?1 where name = ?2", Instant.now(), region));
    }
}
