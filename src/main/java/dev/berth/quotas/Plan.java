package dev.berth.quotas;

import dev.berth.tenancy.QuotaLimits;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;

/**
 * A set of limits platform admins define once (Free, Team, Business...) and give to many tenants; a tenant's
 * effective limits are its plan's, except where the tenant has an override.
 */
@Entity
public class Plan extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String name;
    public String displayName;
    public int cpuRequestMillis;
    public int cpuLimitMillis;
    public long memoryRequestBytes;
    public long memoryLimitBytes;
    public int maxPods;
    public int maxApps;
    public int maxReplicasPerApp;
    public int maxConcurrentBuilds;
    public int buildMinutesPerMonth;
    public int maxRegions;
    public int maxCustomDomains;
    /** How long one build may run (seconds; the API shows minutes), capped by berth.builds.timeout. */
    public int buildTimeoutSeconds;
    @Version
    public long version;
    public Instant createdAt = Instant.now();
    public Instant updatedAt = Instant.now();

    public static Plan findByName(String name) {
        return find("name", name).firstResult();
    }

    public static List<Plan> listAllByCpu() {
        return list("order by cpuRequestMillis, name");
    }

    public QuotaLimits limits() {
        return new QuotaLimits(cpuRequestMillis, cpuLimitMillis, memoryRequestBytes, memoryLimitBytes, maxPods, maxApps,
                maxReplicasPerApp, maxConcurrentBuilds, buildMinutesPerMonth, maxRegions, maxCustomDomains,
                buildTimeoutSeconds);
    }

    void apply(QuotaLimits l) {
        cpuRequestMillis = l.cpuRequestMillis();
        cpuLimitMillis = l.cpuLimitMillis();
        memoryRequestBytes = l.memoryRequestBytes();
        memoryLimitBytes = l.memoryLimitBytes();
        maxPods = l.pods();
        maxApps = l.apps();
        maxReplicasPerApp = l.replicasPerApp();
        maxConcurrentBuilds = l.concurrentBuilds();
        buildMinutesPerMonth = l.buildMinutesPerMonth();
        maxRegions = l.regions();
        maxCustomDomains = l.customDomains();
        buildTimeoutSeconds = l.buildTimeoutSeconds();
    }
}
