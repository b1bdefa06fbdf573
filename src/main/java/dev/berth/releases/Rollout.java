package dev.berth.releases;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import java.util.List;
import java.util.Set;

/**
 * One release on its way to the clusters: a state machine persisted row by row, so a Berth that is killed at any
 * point resumes from the last committed state. Active rows are also the rollout engine's work queue
 * ({@code next_run_at}); at most one is active per app (a unique partial index).
 *
 * <pre>
 * deploying ──ready──▶ (blue/green) awaiting-promote ──promote──▶ holding ──hold over──▶ succeeded
 *     │                         └─auto promote────────────────────▲   └─switch back──▶ switched-back
 *     ├──ready──▶ (canary) canary ──promote──▶ succeeded / ──abort──▶ aborted
 *     ├──ready──▶ (rolling, recreate, first release) succeeded
 *     ├──progress deadline──▶ failed          ├──abort──▶ aborted
 *     └──(rolling, recreate) newer release──▶ superseded
 *  (rolling, recreate in waves) deploying ──wave ready──▶ [wave-paused ──promote──▶] deploying (next wave) ...
 *  (blue/green in waves) deploying ──wave ready──▶ [awaiting-promote ──promote──▶] switch the wave
 *        ──▶ [wave-paused ──promote──▶] deploying (next wave) ... last wave switched ──▶ holding
 *  (canary in waves) deploying ──wave ready──▶ canary ──promote──▶ deploying (next wave) ... ──▶ succeeded
 *  (strategy change) deploying ──new serving Deployment ready──▶ switching ──every Service moved──▶ succeeded
 *        └──progress deadline──▶ failed, └──abort──▶ aborted (both keep the previous strategy)
 * </pre>
 *
 * <p>In waves, each region's two Deployments follow their own layout ({@link RegionDeploy}, see {@link WaveTracks}).
 * A strategy change ({@code fromStrategy} set) is a rollout of the live release onto the new strategy's Deployments
 * ({@link StrategyChanges}).
 */
@Entity
public class Rollout extends PanacheEntityBase {
    /** The states a rollout is in progress in; at most one such rollout per app. */
    public static final Set<RolloutState> ACTIVE = RolloutState.activeStates();

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Long tenantId;
    public Long appId;
    public Long releaseId;
    public String strategy;
    /** Written only by {@link #move}, which checks the move against {@link RolloutState}'s table. */
    @Convert(converter = RolloutState.Column.class)
    public RolloutState state = RolloutState.DEPLOYING;
    public String targetColor;
    public String previousColor;
    /** The strategy a strategy change leaves; null for the rollout of a release. */
    public String fromStrategy;
    public Integer previousRelease;
    public String reason;
    public Instant deadlineAt;
    public Instant holdUntil;
    public Instant nextRunAt = Instant.now();
    public Instant createdAt = Instant.now();
    public Instant updatedAt = Instant.now();
    public Instant finishedAt;
    /** Region names per wave, frozen when the rollout started; null: every region at once. */
    @JdbcTypeCode(SqlTypes.JSON)
    public List<List<String>> waves;
    /** The wave in progress (0-based). */
    public int wave;

    public boolean active() {
        return state.active();
    }

    /** The app's active rollout, locked for the caller's transaction, or null. */
    public static Rollout lockActive(long appId) {
        return find("appId = ?1 and state in ?2", appId, ACTIVE).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResult();
    }

    public static Rollout latest(long appId) {
        return find("appId = ?1 order by id desc", appId).firstResult();
    }

    public static List<Rollout> recent(long appId, int limit) {
        return find("appId = ?1 order by id desc", appId).page(0, limit).list();
    }

    /**
     * Moves the rollout to {@code newState} with the reason shown to people; refused ({@link
     * dev.berth.state.IllegalTransition}) when {@link RolloutState} does not allow the move, before anything is
     * written.
     */
    void move(RolloutState newState, String why) {
        state = state.requireMoveTo(newState);
        if (why != null) {
            reason = why.length() > 2000 ? why.substring(0, 1997) + "..." : why;
        }
        updatedAt = Instant.now();
        if (!active()) {
            finishedAt = updatedAt;
        }
    }
}
