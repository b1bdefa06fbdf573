package dev.berth.quotas;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Plans and quota accounting. */
@ConfigMapping(prefix = "berth.quotas")
public interface QuotasConfig {
    /** The plan a tenant gets when it is created without one. */
    @WithDefault("team")
    String defaultPlan();

    /** How long a rollout's extra footprint stays reserved if the rollout never reports that it finished. */
    @WithDefault("30m")
    Duration rolloutReservationTtl();

    /** How long a build holds its concurrent-build slot if it never reports that it finished. */
    @WithDefault("6h")
    Duration buildSlotTtl();

    /**
     * Whether this instance samples usage on its schedule. Any number of instances may (the table keeps one sample
     * per tenant and interval); the tests switch it off and drive the sampler with their own times.
     */
    @WithDefault("true")
    boolean sampleOnSchedule();

    /** Usage history: one sample per tenant per interval. */
    @WithDefault("5m")
    Duration sampleInterval();

    /** Usage history older than this is deleted (at least 30 days are kept). */
    @WithDefault("35d")
    Duration retention();

    /** A tenant using at least this share of a limit is shown as near its limit. */
    @WithDefault("80")
    int nearLimitPercent();
}
