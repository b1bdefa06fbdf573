package dev.berth.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * RFC 7807 problem details, with the offending field named in {@code field} and every one in {@code errors}; a
 * write refused because the thing changed meanwhile carries its {@code currentVersion}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String field, List<FieldError> errors,
        Long currentVersion) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem(String type, String title, int status, String detail, String field, List<FieldError> errors) {
        this(type, title, status, detail, field, errors, null);
    }

    public static Problem of(ApiException e) {
        return new Problem("about:blank", e.title(), e.status(), e.getMessage(), e.field(), e.errors(),
                e instanceof VersionConflict c ? c.currentVersion() : null);
    }
}
