package dev.berth.releases;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.berth.state.IllegalTransition;
import dev.berth.state.StateColumn;
import dev.berth.state.StoredState;
import jakarta.persistence.Converter;
import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a {@link Rollout} and the one table of the moves between them. Every write of a rollout's state
 * goes through {@link Rollout#move}, which refuses a move this table does not list ({@link IllegalTransition}).
 * Stored and shown as the lowercase names ({@link #value()}); the {@code rollout_state_check} constraint of the
 * database lists the same values.
 *
 * <p>The table is the union of the paths of every strategy (see {@link Rollout}): a release onto the live track,
 * blue/green and canary releases with or without waves, rolling waves, and strategy changes.
 */
public enum RolloutState implements StoredState<String> {
    /**
     * The release's command (a database migration, say) runs as a Job before the release takes traffic; it goes on
     * to deploying when the command exits 0, and fails the rollout otherwise ({@code ReleaseCommandStep}).
     */
    RELEASE_COMMAND("release-command"),
    /** The new pods start (the current wave's, or a strategy change's new Deployment). */
    DEPLOYING("deploying"),
    /** Blue/green: the idle colour is ready; the switch waits for promote. */
    AWAITING_PROMOTE("awaiting-promote"),
    /** Canary: the canary runs with its weight; promote or abort. */
    CANARY("canary"),
    /** Blue/green: switched; the previous colour is kept for switch back until the hold is over. */
    HOLDING("holding"),
    /** A rollout in waves, paused between two waves until promoted. */
    WAVE_PAUSED("wave-paused"),
    /** A strategy change whose Service has moved to the new layout; the old Deployment goes once that is seen. */
    SWITCHING("switching"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    ABORTED("aborted"),
    /** A rollout onto the live track that a newer release replaced before it was ready. */
    SUPERSEDED("superseded"),
    /** Blue/green: switched back to the previous colour during the hold. */
    SWITCHED_BACK("switched-back");

    private final String value;

    RolloutState(String value) {
        this.value = value;
    }

    /**
     * The allowed moves. A move onto the same state is listed where it is a real step: {@code deploying} to the next
     * wave's {@code deploying}, {@code holding} after a switch back of a rollout in waves that was already holding.
     */
    public Set<RolloutState> next() {
        return switch (this) {
            case RELEASE_COMMAND -> EnumSet.of(DEPLOYING, FAILED, ABORTED, SUPERSEDED);
            case DEPLOYING -> EnumSet.of(DEPLOYING, AWAITING_PROMOTE, CANARY, HOLDING, WAVE_PAUSED, SWITCHING,
                    SUCCEEDED, FAILED, ABORTED, SUPERSEDED);
            case AWAITING_PROMOTE -> EnumSet.of(DEPLOYING, HOLDING, WAVE_PAUSED, ABORTED);
            case CANARY -> EnumSet.of(DEPLOYING, SUCCEEDED, ABORTED);
            case HOLDING -> EnumSet.of(HOLDING, SUCCEEDED, SWITCHED_BACK);
            case WAVE_PAUSED -> EnumSet.of(DEPLOYING, HOLDING, ABORTED, SUPERSEDED);
            case SWITCHING -> EnumSet.of(SUCCEEDED);
            case SUCCEEDED, FAILED, ABORTED, SUPERSEDED, SWITCHED_BACK -> EnumSet.noneOf(RolloutState.class);
        };
    }

    public boolean canMoveTo(RolloutState to) {
        return next().contains(to);
    }

    /** {@code to}, or {@link IllegalTransition} when the table does not allow the move. */
    public RolloutState requireMoveTo(RolloutState to) {
        return IllegalTransition.check("rollout", this, to, canMoveTo(to));
    }

    /** Still in progress: the engine or a person has a next step to take; at most one per app. */
    public boolean active() {
        return !next().isEmpty();
    }

    /** The states the rollout engine steps by itself (the others wait for a person, CI, or nothing). */
    public boolean engineSteps() {
        return this == RELEASE_COMMAND || this == DEPLOYING || this == AWAITING_PROMOTE || this == CANARY || this == HOLDING
                || this == SWITCHING;
    }

    public static Set<RolloutState> activeStates() {
        EnumSet<RolloutState> out = EnumSet.noneOf(RolloutState.class);
        for (RolloutState s : values()) {
            if (s.active()) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public String storedValue() {
        return value;
    }

    @JsonValue
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }

    public static RolloutState of(String value) {
        return StoredState.of(RolloutState.class, "rollout", value);
    }

    /** Stores the state as {@link #storedValue()}. */
    @Converter
    public static class Column extends StateColumn<RolloutState, String> {
        public Column() {
            super(RolloutState.class);
        }
    }
}
