package dev.berth.apps;

import dev.berth.api.ApiException;
import dev.berth.quotas.AppFootprint;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** An app's desired state: image, size, env and routing. Secret env values are stored sealed. */
@Entity
public class App extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Long tenantId;
    public String name;
    public String image;
    public int port;
    public int replicas;
    public int cpuRequestMillis;
    public int cpuLimitMillis;
    public long memoryRequestBytes;
    public long memoryLimitBytes;
    public String healthPath;
    public String customDomain;
    /** The autoscaler (all four set, or none; see {@link #autoscaler()}). */
    public Integer autoscaleMinReplicas;
    public Integer autoscaleMaxReplicas;
    public Integer autoscaleCpuPercent;
    public Integer autoscaleMemoryPercent;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> env = new TreeMap<>();
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> secretEnv = new TreeMap<>();
    /** Worker and cron processes besides web (dev.berth.processes), and the optional release command. */
    @JdbcTypeCode(SqlTypes.JSON)
    public List<ProcessSpec> processes = new java.util.ArrayList<>();
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> releaseCommand;
    @Version
    public long version;
    public Instant createdAt = Instant.now();
    public Instant updatedAt = Instant.now();

    /** The app's autoscaler, or null when its replicas are fixed. */
    public Autoscaler autoscaler() {
        return autoscaleMaxReplicas == null ? null : new Autoscaler(autoscaleMinReplicas, autoscaleMaxReplicas,
                autoscaleCpuPercent, autoscaleMemoryPercent);
    }

    /**
     * What this app takes from the tenant's quota as it stands in memory (possibly changed, not yet stored). With an
     * autoscaler it counts the autoscaler's maximum: the cluster may scale the app up to it at any time.
     */
    public AppFootprint footprint() {
        int counted = autoscaleMaxReplicas == null ? replicas : Math.max(replicas, autoscaleMaxReplicas);
        return new AppFootprint(counted, cpuRequestMillis, cpuLimitMillis, memoryRequestBytes, memoryLimitBytes,
                customDomain != null);
    }

    public static App findByName(long tenantId, String name) {
        return find("tenantId = ?1 and name = ?2", tenantId, name).firstResult();
    }

    /** The tenant's app of that name; a 404 problem naming it when there is none. */
    public static App require(long tenantId, String name) {
        App a = findByName(tenantId, name);
        if (a == null) {
            throw ApiException.notFound("app", name);
        }
        return a;
    }

    public static List<App> listByTenant(long tenantId) {
        return list("tenantId = ?1 order by name", tenantId);
    }

    public static long countByTenant(long tenantId) {
        return count("tenantId", tenantId);
    }
}
