package dev.berth.ui;

import java.util.Map;

/**
 * Success messages shown once after a post-redirect-get. The redirect carries a short code ({@code ?ok=...}),
 * never user text, so a link cannot make the page say something the server did not.
 */
public final class Flash {
    private static final Map<String, String> MESSAGES = Map.ofEntries(
            Map.entry("tenant-created", "Tenant created. Its namespaces are being set up in every region."),
            Map.entry("tenant-deleted", "Tenant deleted. Its namespaces are being removed."),
            Map.entry("limits-saved", "Limits saved."),
            Map.entry("app-created", "App created. It is being deployed to every region of the tenant."),
            Map.entry("app-updated", "Changes saved. They are rolling out now."),
            Map.entry("app-scaled", "Scaled. Pods are being started or stopped now."),
            Map.entry("app-deleted", "App deleted."),
            Map.entry("secret-set", "Secret saved. Its value will not be shown again."),
            Map.entry("secret-removed", "Secret removed."),
            Map.entry("autoscaler-saved", "Autoscaler saved. The cluster scales the app within its bounds from now on."),
            Map.entry("autoscaler-removed", "Autoscaler removed. The app runs its fixed replicas again."));

    private Flash() {
    }

    /** The message for a code, or null for an unknown or absent code. */
    public static String message(String code) {
        return code == null ? null : MESSAGES.get(code);
    }
}
