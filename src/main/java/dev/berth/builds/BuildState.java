package dev.berth.builds;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.berth.state.IllegalTransition;
import dev.berth.state.StateColumn;
import dev.berth.state.StoredState;
import jakarta.persistence.Converter;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The states of a {@link Build} and the one table of the moves between them. Every write of a build's state
 * checks it: the entity's {@link Build#moveTo}, and the queue's SQL updates ({@link BuildQueue}) with
 * {@link #requireMoveTo} on the state they read under the row lock. Stored and shown as the lowercase names
 * ({@link #value()}), which the {@code build_state_check} constraint lists.
 *
 * <pre>
 * queued ──claimed──▶ cloning ──▶ building ──▶ pushing ──▶ succeeded
 *    │                   │  └──image of the same inputs reused──▶ succeeded
 *    │                   └─(and building, pushing)─▶ failed / cancelled, or queued again (Berth stopped)
 *    └──▶ cancelled (before it started), failed (the plan allows no build)
 * </pre>
 */
public enum BuildState implements StoredState<String> {
    QUEUED("queued"),
    CLONING("cloning"),
    BUILDING("building"),
    PUSHING("pushing"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    CANCELLED("cancelled");

    private final String value;

    BuildState(String value) {
        this.value = value;
    }

    public Set<BuildState> next() {
        return switch (this) {
            case QUEUED -> EnumSet.of(CLONING, FAILED, CANCELLED);
            case CLONING -> EnumSet.of(BUILDING, SUCCEEDED, FAILED, CANCELLED, QUEUED);
            case BUILDING -> EnumSet.of(PUSHING, FAILED, CANCELLED, QUEUED);
            case PUSHING -> EnumSet.of(SUCCEEDED, FAILED, CANCELLED, QUEUED);
            case SUCCEEDED, FAILED, CANCELLED -> EnumSet.noneOf(BuildState.class);
        };
    }

    public boolean canMoveTo(BuildState to) {
        return next().contains(to);
    }

    /** {@code to}, or {@link IllegalTransition} when the table does not allow the move. */
    public BuildState requireMoveTo(BuildState to) {
        return IllegalTransition.check("build", this, to, canMoveTo(to));
    }

    /** A worker runs it (and beats its heartbeat). */
    public boolean running() {
        return this == CLONING || this == BUILDING || this == PUSHING;
    }

    /** It has ended; nothing moves it again. */
    public boolean finished() {
        return next().isEmpty();
    }

    public static Set<BuildState> runningStates() {
        return EnumSet.of(CLONING, BUILDING, PUSHING);
    }

    public static Set<BuildState> finishedStates() {
        return EnumSet.of(SUCCEEDED, FAILED, CANCELLED);
    }

    /** {@code ('a', 'b')}, for SQL. */
    static String sqlList(Set<BuildState> states) {
        return states.stream().map(s -> "'" + s.value + "'").collect(Collectors.joining(", ", "(", ")"));
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

    public static BuildState of(String value) {
        return StoredState.of(BuildState.class, "build", value);
    }

    /** Stores the state as {@link #storedValue()}. */
    @Converter
    public static class Column extends StateColumn<BuildState, String> {
        public Column() {
            super(BuildState.class);
        }
    }
}
