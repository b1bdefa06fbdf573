package dev.berth.tenants;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;

/** A team: its limits, and (through tenant_region) the regions where it gets a namespace. */
@Entity
public class Tenant extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String slug;
    public String displayName;
    public int cpuMillis;
    public long memoryBytes;
    public int maxPods;
    public int maxApps;
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

    public TenantSpec spec() {
        return new TenantSpec(slug, displayName, cpuMillis, memoryBytes, maxPods, maxApps);
    }
}
