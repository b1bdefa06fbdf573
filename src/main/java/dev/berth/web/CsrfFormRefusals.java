package dev.berth.web;

import dev.berth.api.Problem;
import dev.berth.api.RawProblems;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * The second half of {@link CsrfRule}: an HTML form's token is in its body, which only the REST layer reads, so the
 * REST CSRF filter checks it there and refuses a missing or wrong one with a bare 400. This turns that refusal
 * into the same 403 problem+json as every other CSRF refusal; so is a form body sent to an endpoint that takes
 * none (a 415 otherwise), where the token was never looked at.
 */
public class CsrfFormRefusals {
    static final String FORM_CHECK = "berth.csrf.form-check";
    /** What the REST CSRF filter puts into the routing context once a token has been verified. */
    private static final String VERIFIED = "csrf_token_verified";

    @ServerResponseFilter
    public void refuse(ContainerResponseContext response, RoutingContext rc) {
        if (rc == null || rc.get(FORM_CHECK) == null || rc.get(VERIFIED) != null) {
            return;
        }
        // 400 without a body: the CSRF filter refused the form. 415: a form sent to an endpoint that takes none, so
        // no token was ever checked; the request is refused for the missing token like every other.
        boolean csrfRefusal = response.getStatus() == 400 && !response.hasEntity();
        if (!csrfRefusal && response.getStatus() != 415) {
            return;
        }
        Problem p = RawProblems.problem(403, "Forbidden", "the form's " + CsrfRule.FIELD
                + " field is missing or does not match this session's CSRF token; reload the page", CsrfRule.FIELD);
        response.setStatus(403);
        response.setEntity(p, null, MediaType.valueOf(Problem.MEDIA_TYPE));
    }
}
