package dev.berth.regions;

import java.time.Instant;

/** A region and its health as the API shows it; connection details only for platform admins. */
public record RegionView(String name, String displayName, String baseDomain, boolean simulated, String health,
        Instant unreachableSince, Instant lastOkAt, Instant lastSyncAt, String kubernetesVersion, Integer latencyMs,
        String lastError, String connection) {

    public static RegionView of(Region r, boolean admin) {
        String health = r.reachable == null ? "unknown" : r.reachable ? "reachable" : "unreachable";
        return new RegionView(r.name, r.displayName, r.baseDomain, r.simulated, health, r.unreachableSince, r.lastOkAt,
                r.lastSyncAt, r.kubernetesVersion, r.latencyMs, admin ? r.lastError : null,
                admin ? r.connectionKind + (r.kubeContext == null ? "" : " (" + r.kubeContext + ")") : null);
    }
}
