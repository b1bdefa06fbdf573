package dev.berth.tenancy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;

/** A team: its plan and per-tenant overrides of the plan's limits, and (through tenant_region) the regions where it gets a namespace. */
@Entity
public class Tenant extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String slug;
    public String displayName;
    /** The tenant's plan; its limits apply except where an override below is set. */
    public Long planId;
    // Per-tenant overrides of the plan's limits; null means "as the plan says".
    public Integer cpuRequestMillis;
    public Integer cpuLimitMillis;
    public Long memoryRequestBytes;
    public Long memoryLimitBytes;
    public Integer maxPods;
    public Integer maxApps;
    public Integer maxReplicasPerApp;
    public Integer maxConcurrentBuilds;
    public Integer buildMinutesPerMonth;
    public Integer maxRegions;
    public Integer maxCustomDomains;
    public Integer buildTimeoutSeconds;
    @Version
    public long version;
    public Instant createdAt = Instant.now();
    public Instant updatedAt = Instant.now();
    public String createdBy;

    public static Tenant findBySlug(String slug) {
        return find("slug", slug).firstResult();
    }

    public static List<Tenant> listAllBySlug() {
        return list("order by slug");
    }

    public QuotaOverrides overrides() {
        return new QuotaOverrides(cpuRequestMillis, cpuLimitMillis, memoryRequestBytes, memoryLimitBytes, maxPods,
                maxApps, maxReplicasPerApp, maxConcurrentBuilds, buildMinutesPerMonth, maxRegions, maxCustomDomains,
                buildTimeoutSeconds);
    }

    public void setOverrides(QuotaOverrides o) {
        cpuRequestMillis = o.cpuRequestMillis();
        cpuLimitMillis = o.cpuLimitMillis();
        memoryRequestBytes = o.memoryRequestBytes();
        memoryLimitBytes = o.memoryLimitBytes();
        maxPods = o.pods();
        maxApps = o.apps();
        maxReplicasPerApp = o.replicasPerApp();
        maxConcurrentBuilds = o.concurrentBuilds();
        buildMinutesPerMonth = o.buildMinutesPerMonth();
        maxRegions = o.regions();
        maxCustomDomains = o.customDomains();
        buildTimeoutSeconds = o.buildTimeoutSeconds();
    }

    /** The desired state manifests need, with the tenant's effective limits (its plan's, overridden). */
    public TenantSpec spec(QuotaLimits effective) {
        return new TenantSpec(slug, displayName, effective.cpuRequestMillis(), effective.cpuLimitMillis(),
                effective.memoryRequestBytes(), effective.memoryLimitBytes(), effective.pods(), effective.apps());
    }
}
