package dev.berth.api;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The version a request's {@code If-Match} header names, for services to compare with the row they are about to
 * change ({@link #check}). A client that sends the {@code version} it read (bare, quoted or as a weak ETag) gets
 * 409 instead of overwriting a change it has not seen; without the header, or with {@code *}, the write goes
 * ahead, and concurrent commits are still caught by the rows' own version columns.
 *
 * <p>Read from the current HTTP request, so that the services' signatures, shared with the pages and background
 * work, do not change: pages send no header, and outside a request there is none.
 */
@ApplicationScoped
public class Preconditions {
    @Inject
    CurrentVertxRequest request;

    /** The version the current request's {@code If-Match} names; null without one (or outside a request). */
    Long expected() {
        var context = request.getCurrent();
        String header = context == null ? null : context.request().getHeader("If-Match");
        return header == null ? null : parse(header);
    }

    /** {@code 3}, {@code "3"} or {@code W/"3"}; null for {@code *}. */
    static Long parse(String header) {
        String v = header.strip();
        if (v.equals("*")) {
            return null;
        }
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the 400
        }
        throw ApiException.invalid("If-Match", "must be the version of the resource as last read (a number)");
    }

    /** Refuses the write when the request named a version and {@code current} is another one. */
    public void check(String what, long current) {
        Long expected = expected();
        if (expected != null && expected != current) {
            throw new VersionConflict(what, current);
        }
    }
}
