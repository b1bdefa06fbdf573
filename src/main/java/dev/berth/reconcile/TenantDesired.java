package dev.berth.reconcile;

import dev.berth.apps.AppSpec;
import dev.berth.tenants.TenantSpec;
import java.util.List;

/** Everything one tenant should have in one region. */
public record TenantDesired(TenantSpec tenant, List<AppSpec> apps) {
}
