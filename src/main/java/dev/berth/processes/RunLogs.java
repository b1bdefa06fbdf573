package dev.berth.processes;

import dev.berth.api.ApiException;
import dev.berth.apps.App;
import dev.berth.kube.Names;
import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A run's log: while its Job exists, read from its pod through the region's API server ({@code pods/log}, which
 * reads it from the node's kubelet); afterwards the last lines Berth kept when it recorded the result. Simulated
 * regions run no containers and have no logs.
 */
@ApplicationScoped
public class RunLogs {
    static final int TAIL_LINES = 1000;
    /** How many lines a finished run keeps, for the page, the API and a failed release command's reason. */
    static final int KEPT_LINES = 40;
    @Inject
    RegionClients clients;

    public String log(long tenantId, String tenant, String app, long id) {
        record Found(Run run, String region) {
        }
        Found f = QuarkusTransaction.requiringNew().call(() -> {
            App a = App.require(tenantId, app);
            Run r = Run.findById(id);
            if (r == null || !r.appId.equals(a.id)) {
                throw ApiException.notFound("run", Long.toString(id));
            }
            Region region = Region.findById(r.regionId);
            return new Found(r, region == null ? null : region.name);
        });
        if (f.run().state.finished() || f.region() == null) {
            return f.run().logTail == null ? "" : f.run().logTail;
        }
        Optional<RegionCluster> c = clients.get(f.region());
        if (c.isEmpty()) {
            return "";
        }
        String text = read(c.get(), tenant, f.run().jobName, TAIL_LINES);
        return text == null ? "" : text;
    }

    /** The last {@code lines} of the run's (newest) pod, or null when there is none or it cannot be read. */
    static String read(RegionCluster cluster, String tenant, String jobName, int lines) {
        if (cluster.info().simulated() || !cluster.cache().synced()) {
            return null;
        }
        Pod pod = newest(cluster.cache().podsOf(Names.namespace(tenant), jobName));
        if (pod == null) {
            return null;
        }
        try {
            return cluster.client().pods().inNamespace(pod.getMetadata().getNamespace())
                    .withName(pod.getMetadata().getName()).inContainer(dev.berth.apps.AppManifests.CONTAINER)
                    .tailingLines(lines).getLog();
        } catch (RuntimeException e) {
            return null;
        }
    }

    static Pod newest(List<Pod> pods) {
        return pods.stream().max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp() == null ? ""
                : p.getMetadata().getCreationTimestamp())).orElse(null);
    }

    /** At most the last {@code KEPT_LINES} lines and {@link Run#LOG_TAIL_MAX} characters. */
    static String kept(String log) {
        if (log == null || log.isEmpty()) {
            return null;
        }
        String[] lines = log.split("\n", -1);
        int from = Math.max(0, lines.length - KEPT_LINES - (log.endsWith("\n") ? 1 : 0));
        String tail = String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length)).stripTrailing();
        return tail.length() > Run.LOG_TAIL_MAX ? tail.substring(tail.length() - Run.LOG_TAIL_MAX) : tail;
    }
}
