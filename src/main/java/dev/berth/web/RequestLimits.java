package dev.berth.web;

import dev.berth.api.RawProblems;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses requests whose shape is wrong before anything reads or parses them, and gives the refusals the HTTP layer
 * makes itself (413, 415, a malformed body) the same problem+json shape as the API's:
 * <ul>
 * <li>a {@code Content-Type} that is empty or not a media type: 415 naming {@code Content-Type};</li>
 * <li>a body larger than its route allows ({@code Content-Length} checked before the body is read): 413 naming
 * {@code body} and the limit. {@code quarkus.http.limits.max-body-size} is the ceiling for every route; the
 * routes listed in {@link #CAPS} have smaller ones;</li>
 * <li>the HTTP layer's own refusals (a body or form field over its limit while it is read, a body it cannot
 * decode) as problem+json instead of a bare status.</li>
 * </ul>
 */
@ApplicationScoped
public class RequestLimits {
    /** A route prefix and the largest body it accepts, in bytes; the first matching prefix wins. */
    record Cap(String prefix, long bytes) {
    }

    /** JSON requests and page forms are small; a kubeconfig is the largest thing people send. */
    static final List<Cap> CAPS = List.of(new Cap("/api/v1/regions", 256 * 1024), new Cap("/regions", 256 * 1024),
            new Cap("/api/", 64 * 1024), new Cap("/t/", 64 * 1024), new Cap("/tenants", 16 * 1024),
            new Cap("/logout", 1024), new Cap("/j_security_check", 4 * 1024));

    @Inject
    RawProblems problems;
    @ConfigProperty(name = "quarkus.http.limits.max-form-attribute-size", defaultValue = "2048")
    io.quarkus.runtime.configuration.MemorySize maxFormAttribute;
    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
    io.quarkus.runtime.configuration.MemorySize maxBody;

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 3).handler(this::check);
        router.route().order(Integer.MIN_VALUE + 3).failureHandler(this::failure);
    }

    void check(RoutingContext rc) {
        String type = rc.request().getHeader("Content-Type");
        if (type != null && !wellFormed(type)) {
            problems.send(rc, RawProblems.problem(415, "Unsupported Media Type",
                    "Content-Type '" + abbreviate(type) + "' is not a media type", "Content-Type"));
            return;
        }
        String length = rc.request().getHeader("Content-Length");
        long cap = cap(rc.normalizedPath());
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                problems.send(rc, RawProblems.problem(400, "Bad Request", "Content-Length is not a number",
                        "Content-Length"));
                return;
            }
            if (n > cap) {
                problems.send(rc, tooLarge(cap));
                return;
            }
        }
        rc.next();
    }

    /** The HTTP layer's refusals as problem+json; everything else goes on to the default handling. */
    void failure(RoutingContext rc) {
        int status = rc.statusCode();
        if (status == 413) {
            boolean form = String.valueOf(rc.request().getHeader("Content-Type")).startsWith("application/x-www-form");
            problems.send(rc, form && rc.request().getHeader("Content-Length") != null
                    && Long.parseLong(rc.request().getHeader("Content-Length").trim()) <= cap(rc.normalizedPath())
                            ? RawProblems.problem(413, "Content Too Large", "a form field is longer than "
                                    + maxFormAttribute.asLongValue() + " bytes", "form field")
                            : tooLarge(Math.min(cap(rc.normalizedPath()), maxBody.asLongValue())));
        } else if (status == 415) {
            problems.send(rc, RawProblems.problem(415, "Unsupported Media Type", "this resource does not accept "
                    + abbreviate(String.valueOf(rc.request().getHeader("Content-Type"))), "Content-Type"));
        } else if (status == 400 && rc.failure() != null) {
            problems.send(rc, RawProblems.problem(400, "Bad Request", "the request body could not be read", "body"));
        } else {
            rc.next();
        }
    }

    long cap(String path) {
        for (Cap c : CAPS) {
            if (path.startsWith(c.prefix())) {
                return Math.min(c.bytes(), maxBody.asLongValue());
            }
        }
        return maxBody.asLongValue();
    }

    private static dev.berth.api.Problem tooLarge(long cap) {
        return RawProblems.problem(413, "Content Too Large", "the request body is larger than " + cap
                + " bytes, the limit of this route", "body");
    }

    private static boolean wellFormed(String type) {
        if (type.isBlank()) {
            return false;
        }
        try {
            MediaType.valueOf(type);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
