package dev.berth.regions;

import java.util.List;

/**
 * A region as a platform admin registers or changes it. On a change, absent (null) fields stay as they are; a
 * {@code kubeconfig} is only sent to replace the stored connection, which is never returned.
 *
 * @param tenants the tenants that may use the region (each gets a namespace there); replaces the list when given
 * @param openToNewTenants whether tenants created later start in this region
 * @param publishesDns whether the cluster runs external-dns: Berth writes each app's DNSEndpoint there
 * @param tlsIssuer the cert-manager ClusterIssuer that issues the region's apps' certificates; "" removes it
 */
public record RegionRequest(String name, String displayName, String city, Double latitude, Double longitude,
        String kubeconfig, String context, String baseDomain, String ingressClass, String ingressNamespace,
        List<String> tenants, Boolean openToNewTenants, Boolean publishesDns, String tlsIssuer) {
    public RegionRequest(String name, String displayName, String city, Double latitude, Double longitude,
            String kubeconfig, String context, String baseDomain, String ingressClass, String ingressNamespace,
            List<String> tenants, Boolean openToNewTenants, Boolean publishesDns) {
        this(name, displayName, city, latitude, longitude, kubeconfig, context, baseDomain, ingressClass,
                ingressNamespace, tenants, openToNewTenants, publishesDns, null);
    }
}
