package dev.berth.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The version a request's {@code If-Match} header names, for services to compare with the row they are about to
 * change ({@link #check}). A client that sends the {@code version} it read (bare, quoted or as a weak ETag) gets
 * 409 instead of overwriting a change it has not seen; without the header, or with {@code *}, the write goes
 * ahead, and concurrent commits are still caught by the rows' own version columns.
 *
 * <p>Request-scoped so that the services' signatures, shared with the pages, do not change; pages send no header.
 */
@RequestScoped
public class Preconditions {
    private Long expected;

    /** Reads {@code If-Match} before the resource runs; a value that is no version is a 400 naming the header. */
    public static class Filter {
        @Inject
        Preconditions preconditions;

        @ServerRequestFilter
        public void read(HttpHeaders headers) {
            String value = headers.getHeaderString("If-Match");
            if (value != null) {
                preconditions.expected = parse(value);
            }
        }
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
        if (expected != null && expected != current) {
            throw new VersionConflict(what, current);
        }
    }
}
