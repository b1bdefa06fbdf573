package dev.berth.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** RFC 7807 problem details, with the offending field named in {@code field} and every one in {@code errors}. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String field, List<FieldError> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(ApiException e) {
        return new Problem("about:blank", e.title(), e.status(), e.getMessage(), e.field(), e.errors());
    }
}
