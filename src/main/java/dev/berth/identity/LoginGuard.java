package dev.berth.identity;

import dev.berth.api.RawProblems;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Applies {@link LoginBackoff} to the local form login ({@code POST /j_security_check}): an address that is waiting
 * is refused before its body is read (429 problem+json with {@code Retry-After}). A user name is only known once the
 * login mechanism has read the form, so an attempt for a user name that is waiting is answered 429 whatever its
 * password: a failure as problem+json, a success without its session cookie, so guessing during the wait learns
 * nothing. The outcome of every other attempt is read from the answer: the redirect to the error page is a failure,
 * a new session cookie a success.
 */
@ApplicationScoped
public class LoginGuard {
    static final String LOGIN = "/j_security_check";

    @Inject
    LoginBackoff backoff;
    @Inject
    RawProblems problems;

    void register(@Observes Router router) {
        router.post(LOGIN).order(Integer.MIN_VALUE + 5).handler(this::before);
        router.post(LOGIN).order(Integer.MIN_VALUE + 5).failureHandler(this::refused);
    }

    void before(RoutingContext rc) {
        String address = address(rc);
        long wait = backoff.retryAfterSeconds(null, address);
        if (wait > 0) {
            tooMany(rc, wait);
            return;
        }
        String presented = SessionRevocations.presented(rc);
        rc.addHeadersEndHandler(ignored -> {
            String user = user(rc);
            if (user == null || rc.response().getStatusCode() == 429) {
                return;
            }
            long userWait = backoff.retryAfterSeconds(user, null);
            if (userWait > 0) {
                // The user name is waiting: whatever the password check said stays unknown, and no session is made.
                rc.response().setStatusCode(429).putHeader("Retry-After", String.valueOf(userWait));
                rc.response().headers().remove("Location").remove("Set-Cookie");
                rc.response().removeCookie(SessionRevocations.COOKIE, false);
                return;
            }
            String location = rc.response().headers().get("Location");
            boolean session = SessionRevocations.issued(rc, presented) != null;
            if (location != null && location.contains("error")) {
                backoff.failed(user, address);
            } else if (session) {
                backoff.succeeded(user);
            }
        });
        rc.next();
    }

    /** A failed sign-in of a user name that must wait: 429 instead of the error page. */
    void refused(RoutingContext rc) {
        String user = user(rc);
        long wait = user == null ? 0 : backoff.retryAfterSeconds(user, null);
        if (wait <= 0) {
            rc.next();
            return;
        }
        tooMany(rc, wait);
    }

    /** The user name of the sign-in, from the form the login mechanism has read. */
    static String user(RoutingContext rc) {
        try {
            return rc.request().isExpectMultipart() ? rc.request().formAttributes().get("j_username") : null;
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private void tooMany(RoutingContext rc, long seconds) {
        rc.response().putHeader("Retry-After", String.valueOf(seconds));
        problems.send(rc, RawProblems.problem(429, "Too Many Requests", "too many failed sign-ins; try again in "
                + seconds + " s", "j_username"));
    }

    static String address(RoutingContext rc) {
        return rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().hostAddress();
    }
}
