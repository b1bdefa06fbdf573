package dev.berth.releases;

import dev.berth.placement.AppRegion;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.util.List;

/**
 * The layout of a blue/green or canary app in one region while it differs from the app's ({@link AppDeploy}): a
 * region whose wave has not come yet, one whose idle colour or canary is starting, one already switched, or one a
 * stopped rollout left on another release. Same meaning as the layout fields of {@link AppDeploy}; changed only
 * under the app's locks, by the rollout state machine ({@link WaveTracks}).
 */
@Entity
@Table(name = "region_deploy")
@IdClass(AppRegion.Key.class)
public class RegionDeploy extends PanacheEntityBase {
    @Id
    public Long appId;
    @Id
    public Long regionId;
    public String liveColor = AppDeploy.BLUE;
    public Integer liveRelease;
    public Integer idleRelease;
    public int idleReplicas;

    public static List<RegionDeploy> listByApp(long appId) {
        return list("appId", appId);
    }

    RegionLayout layout() {
        return new RegionLayout(liveColor, liveRelease, idleRelease, idleReplicas);
    }

    void set(RegionLayout l) {
        liveColor = l.liveColor();
        liveRelease = l.liveRelease();
        idleRelease = l.idleRelease();
        idleReplicas = l.idleReplicas();
    }
}
