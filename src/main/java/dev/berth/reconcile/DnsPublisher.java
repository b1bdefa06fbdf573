package dev.berth.reconcile;

import dev.berth.kube.ClusterWriter;
import dev.berth.kube.CustomResourceCache;
import dev.berth.kube.Labels;
import dev.berth.placement.Routing;
import dev.berth.regions.RegionCluster;
import dev.berth.regions.RegionService;
import dev.berth.regions.RegionsConfig;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Publishes the apps' routing tables as external-dns DNSEndpoints in one region, on that region's worker thread:
 * in a region that publishes DNS, one DNSEndpoint per app (one weighted record per healthy region) in the DNS
 * namespace, written through {@link ClusterWriter} (created when missing, patched only where it drifted); in every
 * region, DNSEndpoints Berth no longer wants (a deleted app, a region that stopped publishing) are deleted. A cluster
 * without the DNSEndpoint CRD is a state, shown on the region ("external-dns CRD not installed"), not a failure.
 */
final class DnsPublisher {
    static final String CRD_MISSING = "external-dns CRD not installed (DNSEndpoint, " + RegionCluster.DNS_API_VERSION + ")";
    /** Returned when the pass has to wait for a watch cache; the worker tries again later. */
    static final int NOT_READY = -1;
    private final RegionCluster cluster;
    private final Routing routing;
    private final RegionService regions;
    private final RegionsConfig config;
    private String lastStatus;
    private boolean statusKnown;

    DnsPublisher(RegionCluster cluster, Routing routing, RegionService regions, RegionsConfig config) {
        this.cluster = cluster;
        this.routing = routing;
        this.regions = regions;
        this.config = config;
    }

    /** One pass; returns the writes sent, or {@link #NOT_READY}. */
    int publish() {
        if (!cluster.cache().synced()) {
            return NOT_READY;
        }
        boolean publishes = regions.publishesDns(cluster.info().id());
        CustomResourceCache dns = cluster.dns();
        if (dns.detect(config.dnsCrdRecheck()) == CustomResourceCache.State.MISSING) {
            status(publishes ? CRD_MISSING : null);
            return 0;
        }
        if (!dns.synced()) {
            return NOT_READY;
        }
        String ns = config.dnsNamespace();
        List<GenericKubernetesResource> desired = publishes ? routing.dnsEndpoints() : List.of();
        ClusterWriter writer = cluster.writer();
        int writes = 0;
        try {
            if (!desired.isEmpty() && writer.apply(namespace(ns), cluster.cache().get(Namespace.class, null, ns))) {
                writes++;
            }
            Set<String> wanted = new HashSet<>();
            for (GenericKubernetesResource d : desired) {
                wanted.add(d.getMetadata().getName());
                if (writer.apply(d, dns.get(ns, d.getMetadata().getName()), RegionCluster.DNS_ENDPOINTS)) {
                    writes++;
                }
            }
            for (GenericKubernetesResource o : dns.list(ns)) {
                var labels = o.getMetadata().getLabels();
                if (labels != null && Labels.MANAGER.equals(labels.get(Labels.MANAGED_BY))
                        && !wanted.contains(o.getMetadata().getName()) && writer.delete(o, RegionCluster.DNS_ENDPOINTS)) {
                    writes++;
                }
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            // The CRD went away since it was found: look it up again later.
            dns.missing();
            status(publishes ? CRD_MISSING : null);
            return writes;
        }
        status(publishes ? "publishing " + desired.size() + " DNSEndpoint(s) in namespace " + ns : null);
        return writes;
    }

    /** The namespace of the DNSEndpoints: Berth's, but no tenant's, so tenant garbage collection never touches it. */
    private static Namespace namespace(String name) {
        return new NamespaceBuilder().withNewMetadata().withName(name)
                .addToLabels(Labels.MANAGED_BY, Labels.MANAGER).addToLabels(Labels.NAME, "berth").endMetadata().build();
    }

    private void status(String status) {
        if (!statusKnown || !Objects.equals(status, lastStatus)) {
            regions.recordDnsStatus(cluster.info().name(), status);
            lastStatus = status;
            statusKnown = true;
        }
    }
}
