package dev.berth.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Writes problem+json on the HTTP layer itself, for refusals that happen before a request reaches a resource
 * (CSRF, body limits, login backoff, 401/403 of the security layer), so they have the same shape as the API's.
 */
@ApplicationScoped
public class RawProblems {
    @Inject
    ObjectMapper mapper;

    public static Problem problem(int status, String title, String detail, String field) {
        return new Problem("about:blank", title, status, detail, field,
                field == null ? null : List.of(new FieldError(field, detail)));
    }

    /** Ends the request with {@code problem}; does nothing if the response has already been sent. */
    public void send(RoutingContext rc, Problem problem) {
        if (rc.response().ended() || rc.response().headWritten()) {
            return;
        }
        String body;
        try {
            body = mapper.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + problem.status() + "}";
        }
        rc.response().setStatusCode(problem.status()).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Cache-Control", "no-store").end(body);
    }
}
