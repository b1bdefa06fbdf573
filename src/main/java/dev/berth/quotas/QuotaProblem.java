package dev.berth.quotas;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.api.FieldError;
import java.util.List;

/** The problem+json body of a quota refusal: RFC 7807 members plus which limit, its value, use and request. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record QuotaProblem(String type, String title, int status, String detail, String field, List<FieldError> errors,
        String limit, String max, String used, String requested) {
    public static final String TYPE = "urn:berth:problem:quota-exceeded";

    public static QuotaProblem of(QuotaExceededException e) {
        return new QuotaProblem(TYPE, e.title(), e.status(), e.getMessage(), e.field(), e.errors(), e.limit(), e.max(),
                e.used(), e.requested());
    }
}
