package dev.berth.regions;

/** The parts of a region that manifests and reconcilers need, detached from the persistence context. */
public record RegionInfo(long id, String name, String displayName, String baseDomain, String ingressClass,
        String ingressNamespace, boolean simulated) {

    public static RegionInfo of(Region r) {
        return new RegionInfo(r.id, r.name, r.displayName, r.baseDomain, r.ingressClass, r.ingressNamespace,
                r.simulated);
    }
}
