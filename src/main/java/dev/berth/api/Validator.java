package dev.berth.api;

import java.util.ArrayList;
import java.util.List;

/** Collects field errors so that one response names every invalid field, then throws them together. */
public final class Validator {
    private final List<FieldError> errors = new ArrayList<>();

    public Validator check(boolean ok, String field, String message) {
        if (!ok) {
            errors.add(new FieldError(field, message));
        }
        return this;
    }

    public Validator add(String field, String message) {
        errors.add(new FieldError(field, message));
        return this;
    }

    /** Adds the message of a rule when it returns one; a rule returns null for a valid value. */
    public Validator rule(String field, String messageOrNull) {
        if (messageOrNull != null) {
            errors.add(new FieldError(field, messageOrNull));
        }
        return this;
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }
}
