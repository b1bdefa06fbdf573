package dev.berth.tenants;

import dev.berth.quotas.LimitsRequest;
import java.util.List;

/** Request bodies of the tenant API. Limits are Kubernetes quantities ("4", "500m", "8Gi"). */
public final class TenantRequests {
    private TenantRequests() {
    }

    /**
     * A new tenant on {@code plan} (the configured default plan when absent). {@code overrides} sets the tenant's
     * own limits; {@code cpu}, {@code memory}, {@code pods} and {@code apps} are overrides too (cpu and memory cap
     * both requests and limits), as in the first version of the API.
     */
    public record Create(String slug, String displayName, String cpu, String memory, Integer pods, Integer apps,
            List<String> owners, String plan, LimitsRequest overrides) {
    }

    /**
     * A change of plan, overrides or display name; absent fields stay. {@code overrides}, when present, replaces all
     * of the tenant's overrides ({@code {}} removes them); the legacy fields then apply on top.
     */
    public record UpdateLimits(String displayName, String cpu, String memory, Integer pods, Integer apps, String plan,
            LimitsRequest overrides) {
    }

    public record Member(String role) {
    }

    /** A member to add: a user name or e-mail address the identity provider knows, and a role. */
    public record NewMember(String user, String role) {
    }
}
