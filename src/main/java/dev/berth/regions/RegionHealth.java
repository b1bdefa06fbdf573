package dev.berth.regions;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.berth.state.IllegalTransition;
import dev.berth.state.StateColumn;
import dev.berth.state.StoredState;
import jakarta.persistence.Converter;
import java.util.EnumSet;
import java.util.Set;

/**
 * Whether a region's API server answers, as the health loop (or the connection check of an admin's change) last
 * saw it, and the one table of the moves between those states: a region starts unknown and, once probed, is
 * reachable or unreachable, flipping between them with every change the probes see; it never becomes unknown again.
 * Every write goes through {@link Region#moveHealth}. Stored in the column {@code reachable} as it always was (null
 * unknown, true, false), where a constraint keeps {@code unreachable_since} set exactly while unreachable; shown as
 * the lowercase names.
 */
public enum RegionHealth implements StoredState<Boolean> {
    UNKNOWN("unknown"),
    REACHABLE("reachable"),
    UNREACHABLE("unreachable");

    private final String value;

    RegionHealth(String value) {
        this.value = value;
    }

    /** Probes repeat, so a state may be confirmed (a move onto itself) as well as left. */
    public Set<RegionHealth> next() {
        return switch (this) {
            case UNKNOWN -> EnumSet.of(REACHABLE, UNREACHABLE);
            case REACHABLE, UNREACHABLE -> EnumSet.of(REACHABLE, UNREACHABLE);
        };
    }

    public boolean canMoveTo(RegionHealth to) {
        return next().contains(to);
    }

    /** {@code to}, or {@link IllegalTransition} when the table does not allow the move. */
    public RegionHealth requireMoveTo(RegionHealth to) {
        return IllegalTransition.check("region health", this, to, canMoveTo(to));
    }

    /** The column {@code reachable}: null while unknown. */
    @Override
    public Boolean storedValue() {
        return reachable();
    }

    /** The stored form: null while unknown. */
    public Boolean reachable() {
        return this == UNKNOWN ? null : this == REACHABLE;
    }

    public static RegionHealth of(Boolean reachable) {
        return reachable == null ? UNKNOWN : reachable ? REACHABLE : UNREACHABLE;
    }

    @JsonValue
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }

    /** Stores the state as {@link #storedValue()}. */
    @Converter
    public static class Column extends StateColumn<RegionHealth, Boolean> {
        public Column() {
            super(RegionHealth.class);
        }
    }
}
