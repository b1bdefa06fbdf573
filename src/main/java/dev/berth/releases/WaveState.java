package dev.berth.releases;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.berth.state.IllegalTransition;
import java.util.EnumSet;
import java.util.Set;

/**
 * Where a rollout stands with one of its waves (the regions it reaches together), as pages and the API show it.
 * A wave's state is not stored: it follows from the rollout's state and the wave in progress ({@link #of}), so it
 * changes only when the rollout moves. {@link #next()} is the table of the changes a wave can show; a test walks
 * every allowed move of {@link RolloutState} and proves {@link #of} never shows another.
 */
public enum WaveState {
    /** A later wave, not started yet. */
    WAITING("waiting"),
    /** The wave a rollout paused between waves starts when promoted. */
    NEXT("next, on promote"),
    /** The wave in progress. */
    CURRENT("current"),
    DONE("done"),
    /** The wave the rollout failed or was aborted in. */
    FAILED("failed"),
    /** A wave the rollout never reached (it failed, was aborted or superseded before). */
    NOT_REACHED("not reached");

    private final String value;

    WaveState(String value) {
        this.value = value;
    }

    /**
     * The changes a wave can show. Besides the plain path (waiting, next, current, done): a rollout that ends before
     * a wave gets there leaves it not reached (or done, when it ends by a blue/green switch back, which counts every
     * wave as done); a blue/green switch back while paused between waves holds the wave that had just switched as
     * current again, and the next one waiting; a rollout aborted or superseded while paused names the wave it
     * paused after (done) as the one it stopped in.
     */
    public Set<WaveState> next() {
        return switch (this) {
            case WAITING -> EnumSet.of(NEXT, CURRENT, DONE, NOT_REACHED);
            case NEXT -> EnumSet.of(WAITING, CURRENT, NOT_REACHED);
            case CURRENT -> EnumSet.of(DONE, FAILED, NOT_REACHED);
            case DONE -> EnumSet.of(CURRENT, FAILED, NOT_REACHED);
            case FAILED, NOT_REACHED -> EnumSet.noneOf(WaveState.class);
        };
    }

    public boolean canMoveTo(WaveState to) {
        return next().contains(to);
    }

    /** {@code to}, or {@link IllegalTransition} when the table does not allow the change. */
    public WaveState requireMoveTo(WaveState to) {
        return IllegalTransition.check("wave", this, to, canMoveTo(to));
    }

    /**
     * The state of wave {@code index} (0-based) of a rollout in {@code state} whose wave in progress is
     * {@code current}.
     */
    public static WaveState of(RolloutState state, int current, int index) {
        boolean stopped = state == RolloutState.FAILED || state == RolloutState.ABORTED;
        boolean superseded = state == RolloutState.SUPERSEDED;
        boolean paused = state == RolloutState.WAVE_PAUSED;
        boolean over = !state.active() && !stopped && !superseded;
        if (over || index < current || (paused && index == current)) {
            return DONE;
        } else if (paused && index == current + 1) {
            return NEXT;
        } else if (index == current) {
            return stopped ? FAILED : superseded ? NOT_REACHED : CURRENT;
        }
        return stopped || superseded ? NOT_REACHED : WAITING;
    }

    /** The wave a page marks as the one to look at. */
    public boolean marked() {
        return this == CURRENT || this == FAILED || this == NEXT;
    }

    @JsonValue
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }
}
