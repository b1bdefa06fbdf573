package dev.berth.processes;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.berth.state.IllegalTransition;
import dev.berth.state.StateColumn;
import dev.berth.state.StoredState;
import jakarta.persistence.Converter;
import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a {@link Run} and the one table of moves between them (ADR 0017). Stored as the lowercase names;
 * the {@code process_run.state} check constraint lists the same values.
 *
 * <pre>
 * pending ──pod runs──▶ running ──exit 0──▶ succeeded
 *    │                     └──exit N, deadline──▶ failed
 *    ├──exits at once──▶ succeeded / failed
 *    └──Job gone without a result (deleted by hand, region removed)──▶ lost  (also from running)
 * </pre>
 */
public enum RunState implements StoredState<String> {
    /** Recorded; the region's reconciler creates the Job, its pod waits to start. */
    PENDING("pending"),
    /** The pod's container runs. */
    RUNNING("running"),
    /** The container exited 0. */
    SUCCEEDED("succeeded"),
    /** The container exited with another code, or the Job failed (its deadline, a pod that could not start). */
    FAILED("failed"),
    /** The Job went away before Berth saw its result. */
    LOST("lost");

    private final String value;

    RunState(String value) {
        this.value = value;
    }

    public Set<RunState> next() {
        return switch (this) {
            case PENDING -> EnumSet.of(RUNNING, SUCCEEDED, FAILED, LOST);
            case RUNNING -> EnumSet.of(SUCCEEDED, FAILED, LOST);
            case SUCCEEDED, FAILED, LOST -> EnumSet.noneOf(RunState.class);
        };
    }

    public boolean canMoveTo(RunState to) {
        return next().contains(to);
    }

    public RunState requireMoveTo(RunState to) {
        return IllegalTransition.check("run", this, to, canMoveTo(to));
    }

    public boolean finished() {
        return next().isEmpty();
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

    public static RunState of(String value) {
        return StoredState.of(RunState.class, "run", value);
    }

    /** Stores the state as {@link #storedValue()}. */
    @Converter
    public static class Column extends StateColumn<RunState, String> {
        public Column() {
            super(RunState.class);
        }
    }
}
