package dev.berth.quotas;

import dev.berth.tenancy.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/** A tenant's current use against its limits, counted exactly as {@link QuotaService} counts it for its checks. */
@ApplicationScoped
public class UsageService {
    @Inject
    QuotaService quotas;
    @Inject
    QuotasConfig config;

    @Transactional
    public UsageNow now(long tenantId) {
        Tenant t = Tenant.findById(tenantId);
        Plan p = Plan.findById(t.planId);
        QuotaService.BuildUsage builds = quotas.buildUsageThisMonth(tenantId);
        return UsageNow.of(t.slug, p.name, p.limits().with(t.overrides()), quotas.usage(tenantId),
                config.nearLimitPercent(), new UsageNow.Builds(builds.builds(), builds.minutes()));
    }

    public int nearLimitPercent() {
        return config.nearLimitPercent();
    }

    public String interval() {
        return config.sampleInterval().toString();
    }
}
