package dev.berth.identity;

import java.util.Locale;

/** A member's role in a tenant, ordered from least to most powerful. */
public enum Role {
    VIEWER, DEVELOPER, OWNER;

    public static final String PLATFORM_ADMIN = "platform-admin";

    public boolean atLeast(Role other) {
        return compareTo(other) >= 0;
    }

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Null when the text names no role. */
    public static Role parse(String text) {
        if (text == null) {
            return null;
        }
        for (Role r : values()) {
            if (r.value().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        return null;
    }
}
