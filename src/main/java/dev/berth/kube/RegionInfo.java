package dev.berth.kube;

/**
 * The parts of a region that manifests and reconcilers need, detached from the persistence context
 * ({@code Region.info()}). It lives with the cluster toolkit so that manifests of any floor can take it.
 * {@code tlsIssuer}: the cert-manager ClusterIssuer of the region's apps' certificates, or null.
 */
public record RegionInfo(long id, String name, String displayName, String baseDomain, String ingressClass,
        String ingressNamespace, boolean simulated, String tlsIssuer) {

    public RegionInfo(long id, String name, String displayName, String baseDomain, String ingressClass,
            String ingressNamespace, boolean simulated) {
        this(id, name, displayName, baseDomain, ingressClass, ingressNamespace, simulated, null);
    }
}
