package dev.berth.security;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fixed-window counter per source (and one for all sources together): at most {@code perSource} events of one
 * source and {@code total} events overall per window are let through; the rest are counted, and the count is handed
 * to the next event of that source that is let through. Memory stays bounded: the table of sources is cleared when
 * it grows past {@code maxSources}.
 */
final class SourceRateLimit {
    private final int perSource;
    private final int total;
    private final long windowNanos;
    private final int maxSources;
    private final ConcurrentHashMap<String, Window> sources = new ConcurrentHashMap<>();
    private long totalWindowStart = System.nanoTime();
    private int totalCount;

    private static final class Window {
        long start;
        int count;
        int suppressed;
    }

    SourceRateLimit(int perSource, int total, Duration window, int maxSources) {
        this.perSource = perSource;
        this.total = total;
        this.windowNanos = window.toNanos();
        this.maxSources = maxSources;
    }

    /** -1 when the event must be dropped; else how many of this source's events were dropped before it. */
    synchronized int admit(String source) {
        long now = System.nanoTime();
        if (sources.size() > maxSources) {
            sources.clear();
        }
        Window w = sources.computeIfAbsent(source == null ? "" : source, k -> new Window());
        if (w.count == 0 || now - w.start > windowNanos) {
            w.start = now;
            w.count = 0;
        }
        if (now - totalWindowStart > windowNanos) {
            totalWindowStart = now;
            totalCount = 0;
        }
        if (w.count >= perSource || totalCount >= total) {
            w.suppressed++;
            return -1;
        }
        w.count++;
        totalCount++;
        int dropped = w.suppressed;
        w.suppressed = 0;
        return dropped;
    }
}
