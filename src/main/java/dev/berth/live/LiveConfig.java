package dev.berth.live;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the pages' live streams behave ({@code berth.live.*}); see docs/ui.md. */
@ConfigMapping(prefix = "berth.live")
public interface LiveConfig {
    /** Signals arriving within this time of the first one are sent to a stream as one change. */
    @WithDefault("200ms")
    Duration debounce();

    /** How often a stream writes a keep-alive comment; a write that fails ends the stream. */
    @WithDefault("2s")
    Duration keepAlive();

    /** A stream ends after this long; the browser opens it again, so access is checked again as well. */
    @WithDefault("10m")
    Duration maxAge();

    /** Streams one user (or token) may hold open at once on this instance; more are refused with 429. */
    @WithDefault("16")
    int maxStreamsPerUser();
}
