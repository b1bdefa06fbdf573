package dev.berth.ui;

import java.util.Map;

/**
 * Success messages shown once after a post-redirect-get. The redirect carries a short code ({@code ?ok=...}),
 * never user text, so a link cannot make the page say something the server did not.
 */
public final class Flash {
    private static final Map<String, String> MESSAGES = Map.of(
            "tenant-created", "Tenant created. Its namespaces are being set up in every region.",
            "tenant-deleted", "Tenant deleted. Its namespaces are being removed.",
            "limits-saved", "Limits saved.",
            "app-created", "App created. It is being deployed to every region of the tenant.",
            "app-updated", "Changes saved. They are rolling out now.",
            "app-deleted", "App deleted.",
            "secret-set", "Secret saved. Its value will not be shown again.",
            "secret-removed", "Secret removed.",
            "autoscaler-saved", "Autoscaler saved. The cluster scales the app within its bounds from now on.",
            "autoscaler-removed", "Autoscaler removed. The app runs its fixed replicas again.");

    private Flash() {
    }

    /** The message for a code, or null for an unknown or absent code. */
    public static String message(String code) {
        return code == null ? null : MESSAGES.get(code);
    }
}
