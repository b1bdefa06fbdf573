package dev.berth.reconcile;

/** What one reconcile pass over a region did: tenants visited, writes sent, and how long it took. */
public record ReconcileResult(String region, int tenants, int writes, long millis) {
}
