package dev.berth.metrics;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** CPU and memory samples of apps: how often they are taken, how long kept, how often a missing API is looked for. */
@ConfigMapping(prefix = "berth.metrics")
public interface MetricsConfig {
    /** Whether the sampler runs on its schedule (tests drive it with their own times). */
    @WithDefault("true")
    boolean sampleOnSchedule();

    /** One sample per app and region per interval. */
    @WithDefault("30s")
    Duration sampleInterval();

    /** Samples older than this are deleted (never less than 30 days, like the usage history). */
    @WithDefault("35d")
    Duration retention();

    /** A region found without the metrics API is asked again after this long. */
    @WithDefault("5m")
    Duration apiRecheck();
}
