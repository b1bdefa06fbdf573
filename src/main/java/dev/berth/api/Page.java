package dev.berth.api;

import java.util.List;

/** One page of a list; {@code page} counts from 0. */
public record Page<T>(List<T> items, long total, int page, int size) {
    public static final int MAX_SIZE = 200;

    public static int size(Integer requested) {
        return requested == null ? 50 : Math.max(1, Math.min(MAX_SIZE, requested));
    }

    public static int page(Integer requested) {
        return requested == null ? 0 : Math.max(0, requested);
    }
}
