package dev.berth.ui;

import dev.berth.api.ApiException;
import dev.berth.api.FieldError;
import io.quarkus.qute.TemplateData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The state of one HTML form: the values to show in its inputs and, after a refused post, the error message and
 * the offending fields. Field names are the API's field names ("image", "resources.cpuLimit", "env"), so the
 * errors of an {@link ApiException} land next to the right input.
 */
@TemplateData
public record Form(Map<String, String> values, List<FieldError> errors, String message) {

    public static Form empty() {
        return new Form(Map.of(), List.of(), null);
    }

    public static Form of(Map<String, String> values) {
        return new Form(new LinkedHashMap<>(values), List.of(), null);
    }

    /** The same values, marked with the errors of a refused request. */
    public Form failed(ApiException e) {
        return new Form(values, e.errors(), e.getMessage());
    }

    public String value(String name) {
        String v = values.get(name);
        return v == null ? "" : v;
    }

    /** The messages about a field, including its sub-fields ("env" also collects "env.FOO"); empty when none. */
    public String error(String field) {
        return errors.stream().filter(e -> about(e.field(), field)).map(FieldError::message).distinct()
                .collect(Collectors.joining("; "));
    }

    public boolean invalid(String field) {
        return errors.stream().anyMatch(e -> about(e.field(), field));
    }

    /** True after a refused post; the message then says why. */
    public boolean isFailed() {
        return message != null;
    }

    /** Errors about fields this form has no input for, so they are not lost. */
    public List<FieldError> otherErrors(List<String> shown) {
        return errors.stream().filter(e -> shown.stream().noneMatch(s -> about(e.field(), s))).toList();
    }

    private static boolean about(String errorField, String field) {
        return errorField != null && (errorField.equals(field) || errorField.startsWith(field + ".")
                || errorField.startsWith(field + "["));
    }
}
