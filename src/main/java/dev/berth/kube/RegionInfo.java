package dev.berth.kube;

/**
 * The parts of a region that manifests and reconcilers need, detached from the persistence context
 * ({@code Region.info()}). It lives with the cluster toolkit so that manifests of any floor can take it.
 */
public record RegionInfo(long id, String name, String displayName, String baseDomain, String ingressClass,
        String ingressNamespace, boolean simulated) {
}
