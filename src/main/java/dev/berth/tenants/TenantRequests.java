package dev.berth.tenants;

import java.util.List;

/** Request bodies of the tenant API. Limits are Kubernetes quantities ("4", "500m", "8Gi"). */
public final class TenantRequests {
    private TenantRequests() {
    }

    public record Create(String slug, String displayName, String cpu, String memory, Integer pods, Integer apps,
            List<String> owners) {
    }

    public record UpdateLimits(String displayName, String cpu, String memory, Integer pods, Integer apps) {
    }

    public record Member(String role) {
    }
}
