package dev.berth.regions;

import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A region and its health as the API shows it. Connection details, errors and the tenants that may use it only
 * for platform admins; the kubeconfig itself is never shown. {@code dns} says how DNS publishing goes in a region
 * that publishes DNS ("external-dns CRD not installed" when the cluster lacks the DNSEndpoint CRD).
 *
 * <p>{@code health} is what the health probe saw (reachable, unreachable, unknown). {@code state} adds what the
 * region's reconciler saw: {@code refusing-writes} when the API server answers but refuses some of Berth's writes
 * (RBAC, admission, validation), listed in {@code writeErrors} (admins only, the oldest {@value #MAX_WRITE_ERRORS}
 * first; {@code writeErrorCount} counts them all). An unreachable region says {@code unreachable} whatever else.
 * {@code tlsIssuer} is the cert-manager ClusterIssuer of the region's apps' certificates (null: none).
 */
public record RegionView(String name, String displayName, String baseDomain, boolean simulated,
        @Schema(implementation = RegionHealth.class, type = SchemaType.STRING) String health,
        Instant unreachableSince, Instant lastOkAt, Instant lastSyncAt, String kubernetesVersion, Integer latencyMs,
        String lastError, String connection, String city, Double latitude, Double longitude, String ingressClass,
        Boolean openToNewTenants, List<String> tenants, boolean publishesDns, String dns, String state,
        List<WriteError> writeErrors, Integer writeErrorCount, String tlsIssuer) {
    public static final String REFUSING_WRITES = "refusing-writes";
    public static final int MAX_WRITE_ERRORS = 20;

    /**
     * A write of one object that the region's cluster refused and that is still refused: the tenant, the object
     * ({@code Kind/namespace/name}, {@code Kind/name} when cluster-scoped), the HTTP code (null when the call
     * failed without one), the API server's message, and since when it has been refused.
     */
    public record WriteError(String tenant, String object, Integer code, String message, Instant since) {
    }

    public static RegionView of(Region r, boolean admin) {
        return of(r, admin, null);
    }

    public static RegionView of(Region r, boolean admin, List<String> tenants) {
        return of(r, admin, tenants, List.of());
    }

    /** {@code writeErrors}: the refused writes known to this instance's reconciler of the region, oldest first. */
    public static RegionView of(Region r, boolean admin, List<String> tenants, List<WriteError> writeErrors) {
        String health = r.health().value();
        String state = !"unreachable".equals(health) && !writeErrors.isEmpty() ? REFUSING_WRITES : health;
        String connection = r.connectionKind == Region.ConnectionKind.STORED ? "stored kubeconfig"
                : String.valueOf(r.connectionKind);
        return new RegionView(r.name, r.displayName, r.baseDomain, r.simulated, health, r.unreachableSince, r.lastOkAt,
                r.lastSyncAt, r.kubernetesVersion, r.latencyMs, admin ? r.lastError : null,
                admin ? connection + (r.kubeContext == null ? "" : " (" + r.kubeContext + ")") : null, r.city,
                r.latitude, r.longitude, r.ingressClass, admin ? r.openToNewTenants : null, admin ? tenants : null,
                Boolean.TRUE.equals(r.publishesDns), Boolean.TRUE.equals(r.publishesDns) ? r.dnsStatus : null, state,
                admin ? List.copyOf(writeErrors.subList(0, Math.min(writeErrors.size(), MAX_WRITE_ERRORS))) : null,
                admin ? writeErrors.size() : null, r.tlsIssuer);
    }
}
