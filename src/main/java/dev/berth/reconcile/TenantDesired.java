package dev.berth.reconcile;

import dev.berth.apps.AppLayout;
import dev.berth.apps.AppSpec;
import dev.berth.tenants.TenantSpec;
import java.util.List;
import java.util.Map;

/**
 * Everything one tenant should have in one region. {@code layouts} (by app name) says how each app's workloads are
 * laid out (strategy, colours, tracks); an app without one gets the default single rolling Deployment.
 */
public record TenantDesired(TenantSpec tenant, List<AppSpec> apps, Map<String, AppLayout> layouts) {
    public TenantDesired(TenantSpec tenant, List<AppSpec> apps) {
        this(tenant, apps, Map.of());
    }
}
