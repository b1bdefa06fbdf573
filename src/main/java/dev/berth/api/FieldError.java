package dev.berth.api;

/** One rejected input field: the JSON path of the field (or form field name) and why it was rejected. */
public record FieldError(String field, String message) {
}
