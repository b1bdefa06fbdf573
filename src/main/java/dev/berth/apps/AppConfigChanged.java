package dev.berth.apps;

/**
 * Fired synchronously inside the transaction that created or changed an app, so the release history records the
 * change in that same transaction (and can refuse it, rolling everything back, while a rollout of the app is in
 * progress). {@code created} is true for a new app.
 */
public record AppConfigChanged(App app, long tenantId, String tenant, boolean created) {
}
