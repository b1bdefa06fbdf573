package dev.berth.kube;

/**
 * Fired inside a transaction that changed a tenant's desired state; reconcilers observe it after commit and
 * converge the tenant's namespaces. Losing it is harmless: the periodic resync catches up.
 */
public record DesiredStateChanged(String tenantSlug) {
}
