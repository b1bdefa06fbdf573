package dev.berth.quotas;

import dev.berth.api.ApiException;
import dev.berth.api.FieldError;
import java.util.List;

/**
 * A change refused because it would take the tenant over one of its limits. Rendered as problem+json 422 (like
 * every quota refusal since the first app limits) with the limit's name, its value, what is in use and what the
 * change asked for, both in words ({@code detail}) and as fields a client can read.
 */
public class QuotaExceededException extends ApiException {
    private final String limit;
    private final String max;
    private final String used;
    private final String requested;

    public QuotaExceededException(String field, String limit, String max, String used, String requested) {
        this(field, limit, max, used, requested, message(limit, max, used, requested));
    }

    private QuotaExceededException(String field, String limit, String max, String used, String requested,
            String detail) {
        super(422, "Quota exceeded", detail, List.of(new FieldError(field, detail)));
        this.limit = limit;
        this.max = max;
        this.used = used;
        this.requested = requested;
    }

    static String message(String limit, String max, String used, String requested) {
        return "quota exceeded: tenant limit " + limit + " is " + max + ", " + used + " in use, this change asks for "
                + requested;
    }

    /** The limit's name as in the API ("pods", "cpuRequest", "buildMinutesPerMonth"...). */
    public String limit() {
        return limit;
    }

    public String max() {
        return max;
    }

    public String used() {
        return used;
    }

    public String requested() {
        return requested;
    }
}
