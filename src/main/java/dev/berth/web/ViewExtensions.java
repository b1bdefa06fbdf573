package dev.berth.web;

import dev.berth.audit.AuditView;
import dev.berth.releases.ReleaseView;
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
        return diffLines(event.changes());
    }

    /** A release's change against the one before it, as lines like the audit's. */
    static List<String> changeLines(ReleaseView release) {
        return diffLines(release.configDiff());
    }

    /**
     * A change map as "field: before -> after" lines for people: a field without a value is left out (an app's
     * creation records every field, unset ones as null) and a missing side of a change reads "(none)", never "null".
     */
    static List<String> diffLines(Map<String, Object> changes) {
        List<String> lines = new ArrayList<>();
        if (changes != null) {
            for (Map.Entry<String, Object> e : changes.entrySet()) {
                if (e.getValue() == null || "null".equals(e.getValue())) {
                    continue;
                }
                String v = e.getValue().toString();
                if (v.startsWith("null -> ")) {
                    v = "(none) -> " + v.substring("null -> ".length());
                }
                if (v.endsWith(" -> null")) {
                    v = v.substring(0, v.length() - " -> null".length()) + " -> (none)";
                }
                lines.add(e.getKey() + ": " + v);
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
