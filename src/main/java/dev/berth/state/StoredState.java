package dev.berth.state;

import java.util.Objects;
import java.util.Optional;

/**
 * A state enum whose constants carry the value their database column stores (ADR 0017): the lowercase name for
 * most machines, a nullable boolean for a region's health. {@link StateColumn} converts through it, and
 * {@link #of} finds the constant of a stored value, so an enum states its stored form once.
 *
 * @param <D> the column's Java type
 */
public interface StoredState<D> {
    /** The value stored in the database column; the column's CHECK constraint lists exactly these. */
    D storedValue();

    /**
     * The constant of {@code type} that stores {@code stored}.
     *
     * @throws IllegalArgumentException when no constant stores it, naming the machine
     */
    static <E extends Enum<E> & StoredState<D>, D> E of(Class<E> type, String machine, D stored) {
        return find(type, stored).orElseThrow(() -> new IllegalArgumentException("unknown " + machine + " state: " + stored));
    }

    /** The constant of {@code type} that stores {@code stored}, if any. */
    static <E extends Enum<E> & StoredState<D>, D> Optional<E> find(Class<E> type, D stored) {
        for (E state : type.getEnumConstants()) {
            if (Objects.equals(state.storedValue(), stored)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }
}
