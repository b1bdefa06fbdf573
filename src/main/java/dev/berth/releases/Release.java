package dev.berth.releases;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One immutable release of an app: the image and configuration snapshot it runs, numbered per app. Only its
 * {@code status}, {@code reason} and {@code finishedAt} change after creation, as its rollout progresses.
 */
@Entity
public class Release extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Long tenantId;
    public Long appId;
    public int number;
    public String image;
    @JdbcTypeCode(SqlTypes.JSON)
    public ReleaseConfig config;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> configDiff = new TreeMap<>();
    public String createdByKind;
    public String createdBy;
    public String source;
    public Integer rollbackOf;
    public String status = ReleaseStatus.PENDING;
    public String reason;
    public Instant createdAt = Instant.now();
    public Instant finishedAt;

    public static Release find(long appId, int number) {
        return find("appId = ?1 and number = ?2", appId, number).firstResult();
    }

    public static Release latest(long appId) {
        return find("appId = ?1 order by number desc", appId).firstResult();
    }

    public static List<Release> recent(long appId, int limit) {
        return recent(appId, limit, null);
    }

    /** Releases numbered below {@code before} (all when null), newest first: a keyset page of (app, number). */
    public static List<Release> recent(long appId, int limit, Integer before) {
        return before == null ? find("appId = ?1 order by number desc", appId).page(0, limit).list()
                : find("appId = ?1 and number < ?2 order by number desc", appId, before).page(0, limit).list();
    }
}
