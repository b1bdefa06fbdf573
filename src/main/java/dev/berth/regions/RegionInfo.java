package dev.berth.regions;

/**
 * The parts of a region that manifests and reconcilers need, detached from the persistence context.
 * {@code tlsIssuer}: the cert-manager ClusterIssuer of the region's apps' certificates, or null.
 */
public record RegionInfo(long id, String name, String displayName, String baseDomain, String ingressClass,
        String ingressNamespace, boolean simulated, String tlsIssuer) {

    public RegionInfo(long id, String name, String displayName, String baseDomain, String ingressClass,
            String ingressNamespace, boolean simulated) {
        this(id, name, displayName, baseDomain, ingressClass, ingressNamespace, simulated, null);
    }

    public static RegionInfo of(Region r) {
        return new RegionInfo(r.id, r.name, r.displayName, r.baseDomain, r.ingressClass, r.ingressNamespace,
                r.simulated, r.tlsIssuer);
    }
}
