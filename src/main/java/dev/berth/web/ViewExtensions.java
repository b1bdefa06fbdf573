package dev.berth.web;

import dev.berth.audit.AuditView;
import io.quarkus.qute.TemplateExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Computed values for templates (time in words, change lists), so templates hold no logic of their own. */
@TemplateExtension
public class ViewExtensions {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private ViewExtensions() {
    }

    /** "12 s ago", "5 min ago", "3 h ago", "2 days ago". */
    static String ago(Instant at) {
        if (at == null) {
            return "never";
        }
        long s = Math.max(0, Duration.between(at, Instant.now()).getSeconds());
        if (s < 60) {
            return s + " s ago";
        }
        if (s < 3600) {
            return s / 60 + " min ago";
        }
        if (s < 86_400) {
            return s / 3600 + " h ago";
        }
        return s / 86_400 + (s < 172_800 ? " day ago" : " days ago");
    }

    /** An absolute time for tooltips and machine-readable attributes. */
    static String stamp(Instant at) {
        return at == null ? "" : STAMP.format(at);
    }

    /** The audit record's changes as "field: before -> after" lines. Secrets are recorded as "set", never a value. */
    static List<String> changeLines(AuditView event) {
        List<String> lines = new ArrayList<>();
        if (event.changes() != null) {
            for (Map.Entry<String, Object> e : event.changes().entrySet()) {
                lines.add(e.getKey() + ": " + e.getValue());
            }
        }
        return lines;
    }

    /** A CSS class for a state word: state-running, state-degraded... */
    static String stateClass(String state) {
        return "state-" + (state == null ? "unknown" : state.toLowerCase(Locale.ROOT));
    }

    /** "ok", "warn" (70 %) or "crit" (90 %) for a quota bar. */
    static String level(Integer percent) {
        int p = percent == null ? 0 : percent;
        return p >= 90 ? "crit" : p >= 70 ? "warn" : "ok";
    }
}
