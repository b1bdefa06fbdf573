package dev.berth.web;

import dev.berth.api.RawProblems;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Gives the JSON API's 401 and 403 answers the problem+json shape of every other API error. The security layer
 * refuses these requests before any resource runs (a missing, unknown or revoked token; a role it lacks), so this
 * is a failure handler on the HTTP router. Pages keep their login redirect and HTML error pages.
 */
@ApplicationScoped
public class AuthProblems {
    static final String CHALLENGE = "Bearer realm=\"berth\"";

    @Inject
    RawProblems problems;

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 4).failureHandler(this::failure);
    }

    void failure(RoutingContext rc) {
        Throwable f = rc.failure();
        if (!rc.normalizedPath().startsWith("/api/") || rc.response().ended()) {
            rc.next();
            return;
        }
        if (f instanceof AuthenticationFailedException || f instanceof UnauthorizedException
                || f instanceof AuthenticationCompletionException || (f == null && rc.statusCode() == 401)) {
            rc.response().putHeader("WWW-Authenticate", CHALLENGE);
            problems.send(rc, RawProblems.problem(401, "Unauthorized", "sign in, or send an API token as "
                    + "'Authorization: Bearer berth_...'; a token that is unknown, revoked or expired is refused", null));
        } else if (f instanceof ForbiddenException || (f == null && rc.statusCode() == 403)) {
            problems.send(rc, RawProblems.problem(403, "Forbidden", "your role does not allow this", null));
        } else {
            rc.next();
        }
    }
}
