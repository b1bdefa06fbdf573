package dev.berth.placement;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.hibernate.annotations.DynamicUpdate;

/**
 * One region an app runs in, as {@code primary} or {@code replica}. While a release rolls out in waves,
 * {@link #pinnedRelease} holds the release a region keeps running until its wave comes (null: the app's live
 * release). {@link #replicas} overrides the app's replica count in this region.
 */
/*
 * The rollout engine (and a build's release) pins and unpins regions while placement changes set roles and counts,
 * under different locks: only changed columns are written, so neither puts the other's fields back.
 */
@Entity
@DynamicUpdate
@Table(name = "app_region")
@IdClass(AppRegion.Key.class)
public class AppRegion extends PanacheEntityBase {
    public static final String PRIMARY = "primary";
    public static final String REPLICA = "replica";

    @Id
    public Long appId;
    @Id
    public Long regionId;
    public Long tenantId;
    public String role;
    public Integer pinnedRelease;
    /** The app's replicas in this region; null runs the app's own replica count here. */
    public Integer replicas;

    public static List<AppRegion> listByApp(long appId) {
        return list("appId", appId);
    }

    /** Composite key (app, region). */
    public static class Key implements Serializable {
        public Long appId;
        public Long regionId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(appId, k.appId) && Objects.equals(regionId, k.regionId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(appId, regionId);
        }
    }
}
