package dev.berth.audit;

import dev.berth.api.Validator;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A filter over the audit log: optionally one tenant, an actor (exact), an app (exact), an action (exact, or a
 * prefix ending in a dot such as {@code member.}), a result, and a time range [from, to). Times are ISO-8601
 * instants ({@code 2026-11-22T08:00:00Z}). {@code before} is a cursor: the id of the last event of the page before,
 * so the next page is read by keyset ({@code (at, id) < (its at, its id)}, the order of the log and of its index) at
 * the same cost at any depth.
 */
public record AuditQuery(Long tenantId, String tenant, String actor, String app, String action, String result,
        Instant from, Instant to, int limit, Long before) {
    public static final int MAX_LIMIT = 10_000;

    /** Parses the query parameters; bad values are refused with 400 naming the parameter. */
    public static AuditQuery parse(Long tenantId, String tenant, String actor, String app, String action,
            String result, String from, String to, Integer limit, int defaultLimit) {
        return parse(tenantId, tenant, actor, app, action, result, from, to, limit, defaultLimit, null);
    }

    /** As above, continuing after the event whose id is {@code before} (a whole number; 400 naming it if not). */
    public static AuditQuery parse(Long tenantId, String tenant, String actor, String app, String action,
            String result, String from, String to, Integer limit, int defaultLimit, String before) {
        Validator v = new Validator();
        Long cursor = null;
        if (before != null && !before.isBlank()) {
            try {
                cursor = Long.valueOf(before.strip());
            } catch (NumberFormatException e) {
                v.check(false, "before", "must be the id of an event (a whole number), the last of the page before");
            }
        }
        Instant f = instant(v, "from", from);
        Instant t = instant(v, "to", to);
        v.check(f == null || t == null || f.isBefore(t), "to", "must be after 'from'");
        v.check(limit == null || (limit >= 1 && limit <= MAX_LIMIT), "limit", "must be between 1 and " + MAX_LIMIT);
        v.throwIfInvalid();
        return new AuditQuery(tenantId, blankToNull(tenant), blankToNull(actor), blankToNull(app),
                blankToNull(action), blankToNull(result), f, t, limit == null ? defaultLimit : limit, cursor);
    }

    private static Instant instant(Validator v, String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            v.check(false, field, "must be an ISO-8601 instant such as 2026-11-22T08:00:00Z");
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The matching events, newest first. */
    public List<AuditEvent> run() {
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new LinkedHashMap<>();
        if (tenantId != null) {
            where.add("tenantId = :tenantId");
            params.put("tenantId", tenantId);
        }
        if (tenant != null) {
            where.add("tenantSlug = :tenant");
            params.put("tenant", tenant);
        }
        if (actor != null) {
            where.add("actor = :actor");
            params.put("actor", actor);
        }
        if (app != null) {
            where.add("appName = :app");
            params.put("app", app);
        }
        if (action != null) {
            if (action.endsWith(".")) {
                where.add("action like :action");
                params.put("action", action.replace("%", "").replace("_", "\\_") + "%");
            } else {
                where.add("action = :action");
                params.put("action", action);
            }
        }
        if (result != null) {
            where.add("result = :result");
            params.put("result", result);
        }
        if (from != null) {
            where.add("at >= :from");
            params.put("from", from);
        }
        if (to != null) {
            where.add("at < :to");
            params.put("to", to);
        }
        if (before != null) {
            AuditEvent last = AuditEvent.findById(before);
            if (last == null || tenantId != null && !tenantId.equals(last.tenantId)) {
                throw dev.berth.api.ApiException.invalid("before", "is not an event of this log");
            }
            where.add("(at, id) < (:beforeAt, :beforeId)");
            params.put("beforeAt", last.at);
            params.put("beforeId", last.id);
        }
        String query = (where.isEmpty() ? "" : String.join(" and ", where)) + " order by at desc, id desc";
        return AuditEvent.<AuditEvent>find(query, params).page(0, limit).list();
    }

}
