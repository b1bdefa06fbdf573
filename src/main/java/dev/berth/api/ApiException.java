package dev.berth.api;

import java.util.List;

/**
 * A domain error that the API renders as RFC 7807 problem JSON and the pages render as a flash message.
 * Services throw it before anything is written, so a refused request changes nothing.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String title;
    private final List<FieldError> errors;

    public ApiException(int status, String title, String detail, List<FieldError> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public static ApiException notFound(String what, String name) {
        return new ApiException(404, "Not Found", what + " '" + name + "' does not exist", null);
    }

    public static ApiException conflict(String field, String detail) {
        return new ApiException(409, "Conflict", detail, field == null ? null : List.of(new FieldError(field, detail)));
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(403, "Forbidden", detail, null);
    }

    public static ApiException invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    public static ApiException invalid(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid: " + String.join(", ", errors.stream().map(FieldError::field).toList());
        return new ApiException(400, "Invalid request", detail, errors);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** The first offending field, or null when the error is not about one field. */
    public String field() {
        return errors.isEmpty() ? null : errors.get(0).field();
    }
}
