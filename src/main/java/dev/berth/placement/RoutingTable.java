package dev.berth.placement;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;

/**
 * How users reach an app: one global hostname for geo-DNS / GSLB and, per region of its placement, the regional
 * endpoint with its weight (0 when the region or the app there is unhealthy) and why. {@code dnsEndpoint} is the
 * external-dns {@code DNSEndpoint} (externaldns.k8s.io/v1alpha1) that publishes the same table: one weighted CNAME
 * per healthy region, keyed by {@code setIdentifier}.
 */
public record RoutingTable(String app, String globalHost, List<Endpoint> endpoints,
        GenericKubernetesResource dnsEndpoint) {

    /** One region's endpoint; latitude and longitude let a geo-DNS pick the nearest. */
    public record Endpoint(String region, String role, String host, int weight, boolean healthy, String reason,
            Double latitude, Double longitude) {
    }
}
