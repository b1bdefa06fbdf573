package dev.berth.placement;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * Where one app runs and how its replicas serve: {@link #MODE_FULL} (the app in every region of its placement) or
 * {@link #MODE_EDGE_CACHE} (replica regions run an nginx cache in front of the primary), and how its releases roll
 * out across regions ({@link #waves}, optional pause). The regions themselves are {@link AppRegion} rows.
 */
/*
 * A placement change and a cache purge may read the row at the same time: only changed columns are written, so a
 * placement change read before a purge does not put the old cache generation back (which would undo the purge).
 */
@Entity
@DynamicUpdate
@Table(name = "app_placement")
public class Placement extends PanacheEntityBase {
    public static final String MODE_FULL = "full";
    public static final String MODE_EDGE_CACHE = "edge-cache";

    @Id
    public Long appId;
    public Long tenantId;
    public boolean allRegions;
    public String mode = MODE_FULL;
    /** Region names per wave; null means the primary first, then every other region. */
    @JdbcTypeCode(SqlTypes.JSON)
    public List<List<String>> waves;
    public boolean pauseBetweenWaves;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<CacheRule> cacheRules = new ArrayList<>();
    /** Part of every edge cache key: raising it purges every cached response of the app at once. */
    public int cacheGeneration = 1;
    public Instant updatedAt = Instant.now();
    /** Optimistic lock: a write based on an older version is refused (409). */
    @Version
    public long version;

    /** One edge cache rule: responses under {@code pathPrefix} are cached for {@code ttlSeconds}, or never. */
    public record CacheRule(String pathPrefix, int ttlSeconds, boolean bypass) {
    }
}
