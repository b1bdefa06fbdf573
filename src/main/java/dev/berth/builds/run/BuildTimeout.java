package dev.berth.builds.run;

import java.time.Duration;

/**
 * How long one build may run and which limit says so: the tenant's override or its plan's build timeout, capped by
 * the platform-wide {@code berth.builds.timeout}. The name of the limit goes into the failure reason, so a tenant
 * knows whether to ask for a bigger plan or the admin for a longer platform limit.
 */
public record BuildTimeout(Duration duration, String limit) {
    static final String GLOBAL = "berth.builds.timeout";

    static BuildTimeout global(Duration global) {
        return new BuildTimeout(global, GLOBAL);
    }

    /** The shorter of the tenant's (override, else plan's) timeout and the platform-wide one. */
    public static BuildTimeout effective(Duration global, Integer tenantOverrideSeconds, String plan, int planSeconds) {
        Duration own = Duration.ofSeconds(tenantOverrideSeconds != null ? tenantOverrideSeconds : planSeconds);
        String limit = tenantOverrideSeconds != null ? "the tenant's build timeout override"
                : "plan '" + plan + "' build timeout";
        return global.compareTo(own) <= 0 ? global(global) : new BuildTimeout(own, limit);
    }

    /** "2 min", or seconds when not a whole number of minutes. */
    public String text() {
        long s = duration.toSeconds();
        return s >= 60 && s % 60 == 0 ? s / 60 + " min" : s + " s";
    }

    String reason() {
        return "timed out after " + text() + " (" + limit + ")";
    }
}
