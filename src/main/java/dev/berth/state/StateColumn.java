package dev.berth.state;

import jakarta.persistence.AttributeConverter;

/**
 * The JPA converter of every state enum: stores {@link StoredState#storedValue()} and reads a stored value back
 * into its constant, so each enum declares its converter in one line
 * ({@code public static class Column extends StateColumn<BuildState, String> { public Column() { super(BuildState.class); } }}).
 * A null attribute is stored as null; a null column is the constant that stores null if there is one (a region's
 * unknown health), otherwise null.
 */
public abstract class StateColumn<E extends Enum<E> & StoredState<D>, D> implements AttributeConverter<E, D> {
    private final Class<E> type;

    protected StateColumn(Class<E> type) {
        this.type = type;
    }

    @Override
    public D convertToDatabaseColumn(E state) {
        return state == null ? null : state.storedValue();
    }

    @Override
    public E convertToEntityAttribute(D stored) {
        return StoredState.find(type, stored).orElseGet(() -> {
            if (stored == null) {
                return null;
            }
            throw new IllegalArgumentException("unknown " + type.getSimpleName() + " in the database: " + stored);
        });
    }
}
