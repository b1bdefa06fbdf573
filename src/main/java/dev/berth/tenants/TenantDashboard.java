package dev.berth.tenants;

import dev.berth.api.Page;
import dev.berth.apps.AppService;
import dev.berth.apps.AppSummary;
import dev.berth.audit.AuditView;
import dev.berth.identity.Role;
import dev.berth.quotas.Plan;
import dev.berth.quotas.QuotaService;
import dev.berth.quotas.QuotaUsage;
import dev.berth.quotas.QuotasConfig;
import dev.berth.quotas.UsageChart;
import dev.berth.quotas.UsageCharts;
import dev.berth.regions.Region;
import dev.berth.regions.RegionMap;
import dev.berth.tenancy.QuotaLimits;
import dev.berth.tenancy.Tenant;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.List;

/**
 * Reads everything a tenant's dashboard shows in one transaction and few statements: the tenant with its plan, its
 * use (one statement, the quota's own figures, so the bars, the charts' last point and the quota's refusals agree),
 * its regions (read once for the tenant, the app rows and the region map), a page of apps, the region map, recent
 * activity and members. Each part reads only what the others have not; {@code ListQueryCountTest} pins the count.
 */
@ApplicationScoped
public class TenantDashboard {
    @Inject
    AppService apps;
    @Inject
    QuotaService quotas;
    @Inject
    QuotasConfig quotasConfig;
    @Inject
    RegionMap regionMap;
    @Inject
    UsageCharts usageCharts;
    @Inject
    TenantService tenants;
    @Inject
    Activity activity;

    /** What the dashboard shows. */
    public record View(TenantView tenant, Page<AppSummary> apps, List<UsageChart> charts, RegionMap.MapView regions,
            List<AuditView> activity, List<Activity.Member> members) {
    }

    /** The tenant as its pages show it, with its limits, its use now and its regions: three statements. */
    private record Read(TenantView view, QuotaLimits limits, QuotaUsage usage, List<Region> regions) {
    }

    @Transactional
    public View read(long tenantId, Role role, int appsPage, int appsPerPage, int activity) {
        Read t = readTenant(tenantId, role);
        String slug = t.view().slug();
        Page<AppSummary> page = apps.list(tenantId, slug, t.regions(), t.usage().apps(), appsPage, appsPerPage);
        return new View(t.view(), page, usageCharts.forTenant(slug, t.limits(), t.usage()),
                regionMap.forTenant(tenantId, t.regions()),
                this.activity.recentForTenant(tenantId, activity),
                Activity.Member.of(tenants.members(tenantId)));
    }

    /** The tenant with its plan, limits and use, as the settings page shows it. */
    @Transactional
    public TenantView tenant(long tenantId, Role role) {
        return readTenant(tenantId, role).view();
    }

    private Read readTenant(long tenantId, Role role) {
        Object[] row = Panache.getEntityManager().createQuery(
                "select t, p from Tenant t, Plan p where p.id = t.planId and t.id = :t", Object[].class)
                .setParameter("t", tenantId).getSingleResult();
        Tenant t = (Tenant) row[0];
        Plan p = (Plan) row[1];
        QuotaLimits limits = p.limits().with(t.overrides());
        QuotaUsage u = quotas.usage(tenantId);
        List<Region> regions = AppService.regionsOf(tenantId);
        TenantView.Usage usage = TenantView.Usage.of(u);
        TenantView view = TenantView.of(t, p.name, limits, usage, quotasConfig.nearLimitPercent(),
                regions.stream().map(r -> r.name).toList(), role.value());
        return new Read(view, limits, u, regions);
    }
}
