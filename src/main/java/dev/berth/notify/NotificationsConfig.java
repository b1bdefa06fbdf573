package dev.berth.notify;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Outgoing notification hooks. */
@ConfigMapping(prefix = "berth.notifications")
public interface NotificationsConfig {
    /** How often each Berth instance looks for deliveries that are due. */
    @WithDefault("1s")
    Duration pollInterval();

    /** Attempts per delivery before it is marked failed. */
    @WithDefault("6")
    int maxAttempts();

    /** Wait before the second attempt; each later wait is 5 times the one before, capped at 2 hours. */
    @WithDefault("10s")
    Duration retryBase();

    /** Connect and response timeout of one attempt. */
    @WithDefault("10s")
    Duration timeout();

    /** Hooks per app. */
    @WithDefault("10")
    int maxHooksPerApp();

    /** Public base URL of Berth's pages, for links in payloads (none when unset). */
    Optional<String> publicUrl();
}
