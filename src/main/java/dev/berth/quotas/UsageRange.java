package dev.berth.quotas;

import dev.berth.api.Validator;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The time range [from, to) of a usage history request. Either end may be an ISO-8601 instant
 * ({@code 2026-11-22T08:00:00Z}) or a date ({@code 2026-11-22}, midnight UTC); {@code to} defaults to now and
 * {@code from} to a given span before {@code to}. Bad values are refused with 400 naming the parameter.
 */
public record UsageRange(Instant from, Instant to) {

    public static UsageRange parse(String from, String to, Duration defaultSpan) {
        Validator v = new Validator();
        Instant t = instant(v, "to", to);
        Instant f = instant(v, "from", from);
        v.throwIfInvalid();
        Instant end = t == null ? Instant.now() : t;
        Instant start = f == null ? end.minus(defaultSpan) : f;
        v.check(start.isBefore(end), "from", "must be before 'to' (" + end + ")");
        v.throwIfInvalid();
        return new UsageRange(start, end);
    }

    private static Instant instant(Validator v, String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String s = text.trim();
        try {
            return s.length() == 10 ? LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(s);
        } catch (DateTimeParseException e) {
            v.add(field, "must be an ISO-8601 instant such as 2026-11-22T08:00:00Z or a date such as 2026-11-22");
            return null;
        }
    }
}
