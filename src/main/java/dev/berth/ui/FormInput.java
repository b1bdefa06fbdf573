package dev.berth.ui;

import dev.berth.api.ApiException;
import dev.berth.api.FieldError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the text of HTML form fields into the typed values the services take: whole numbers, KEY=VALUE lines,
 * comma-separated lists. A value that cannot be read is refused with the field's name, like the API does.
 */
public final class FormInput {
    private FormInput() {
    }

    /** Null for blank text (the service then keeps or defaults the value). */
    public static String text(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    public static Integer number(String field, String s, List<FieldError> errors) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            errors.add(new FieldError(field, "must be a whole number"));
            return null;
        }
    }

    /** KEY=VALUE per line; blank lines and lines starting with '#' are skipped. Null for null text. */
    public static Map<String, String> env(String field, String s, List<FieldError> errors) {
        if (s == null) {
            return null;
        }
        Map<String, String> env = new LinkedHashMap<>();
        String[] lines = s.split("\\r?\\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                errors.add(new FieldError(field, "line " + (i + 1) + " is not of the form KEY=VALUE"));
                continue;
            }
            String key = line.substring(0, eq).strip();
            if (env.put(key, line.substring(eq + 1)) != null) {
                errors.add(new FieldError(field + "." + key, "is set twice"));
            }
        }
        return env;
    }

    public static List<String> commaList(String s) {
        if (s == null || s.isBlank()) {
            return List.of();
        }
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    /** The KEY=VALUE text of plain variables, for a textarea. */
    public static String envText(Map<String, String> env) {
        StringBuilder b = new StringBuilder();
        env.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        return b.toString();
    }

    public static void throwIfAny(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(new ArrayList<>(errors));
        }
    }
}
