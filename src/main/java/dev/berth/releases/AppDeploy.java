package dev.berth.releases;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Version;

/**
 * How an app is deployed (strategy and its settings) and which releases its Deployments run right now: the live
 * release (the live colour, the stable track, or the single Deployment) and, during a blue/green or canary
 * rollout, the idle colour's or canary's release and replicas. Changed only under a row lock
 * ({@link #lock(long)}), by the release service and the rollout engine.
 *
 * <p>While the strategy changes ({@link StrategyChanges}), {@code leavingStrategy} names the strategy left behind:
 * its serving Deployment runs on beside the new strategy's, and the Service stays on its pods while
 * {@code leavingServes}.
 */
@Entity
public class AppDeploy extends PanacheEntityBase {
    public static final String ROLLING = "rolling";
    public static final String RECREATE = "recreate";
    public static final String BLUE_GREEN = "blue-green";
    public static final String CANARY = "canary";
    public static final String BLUE = "blue";
    public static final String GREEN = "green";

    @Id
    public Long appId;
    public String strategy = ROLLING;
    public String maxSurge = "25%";
    public String maxUnavailable = "0";
    public boolean autoPromote = true;
    public int holdSeconds = 300;
    public int progressDeadlineSeconds = 600;
    public int canaryWeight = 10;
    public String liveColor = BLUE;
    public Integer liveRelease;
    public Integer idleRelease;
    public int idleReplicas;
    /** During a strategy change, the strategy being left (its serving Deployment still runs); null otherwise. */
    public String leavingStrategy;
    /** During a strategy change, true until the Service moves to the new strategy's serving pods. */
    public boolean leavingServes;
    @Version
    public long version;

    public static AppDeploy lock(long appId) {
        return findById(appId, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * The app's row locked, or null when another transaction holds it (the rollout engine skips the app then
     * instead of waiting: requests lock this row first and the rollout row second, the engine the other way round).
     */
    public static AppDeploy lockOrSkip(long appId) {
        @SuppressWarnings("unchecked")
        java.util.List<AppDeploy> found = getEntityManager().createNativeQuery(
                "select * from app_deploy where app_id = ?1 for update skip locked", AppDeploy.class)
                .setParameter(1, appId).getResultList();
        return found.isEmpty() ? null : found.get(0);
    }

    public String idleColor() {
        return BLUE.equals(liveColor) ? GREEN : BLUE;
    }

    /** True for the strategies that run a second Deployment beside the live one during a rollout. */
    public boolean twoTracks() {
        return BLUE_GREEN.equals(strategy) || CANARY.equals(strategy);
    }
}
