package dev.berth.regions;

import java.time.Instant;
import java.util.List;

/**
 * A region and its health as the API shows it. Connection details, errors and the tenants that may use it only
 * for platform admins; the kubeconfig itself is never shown. {@code dns} says how DNS publishing goes in a region
 * that publishes DNS ("external-dns CRD not installed" when the cluster lacks the DNSEndpoint CRD).
 */
public record RegionView(String name, String displayName, String baseDomain, boolean simulated, String health,
        Instant unreachableSince, Instant lastOkAt, Instant lastSyncAt, String kubernetesVersion, Integer latencyMs,
        String lastError, String connection, String city, Double latitude, Double longitude, String ingressClass,
        Boolean openToNewTenants, List<String> tenants, boolean publishesDns, String dns) {

    public static RegionView of(Region r, boolean admin) {
        return of(r, admin, null);
    }

    public static RegionView of(Region r, boolean admin, List<String> tenants) {
        String health = r.reachable == null ? "unknown" : r.reachable ? "reachable" : "unreachable";
        String connection = r.connectionKind == Region.ConnectionKind.STORED ? "stored kubeconfig"
                : String.valueOf(r.connectionKind);
        return new RegionView(r.name, r.displayName, r.baseDomain, r.simulated, health, r.unreachableSince, r.lastOkAt,
                r.lastSyncAt, r.kubernetesVersion, r.latencyMs, admin ? r.lastError : null,
                admin ? connection + (r.kubeContext == null ? "" : " (" + r.kubeContext + ")") : null, r.city,
                r.latitude, r.longitude, r.ingressClass, admin ? r.openToNewTenants : null, admin ? tenants : null,
                Boolean.TRUE.equals(r.publishesDns), Boolean.TRUE.equals(r.publishesDns) ? r.dnsStatus : null);
    }
}
