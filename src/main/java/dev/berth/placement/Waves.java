package dev.berth.placement;

import java.util.ArrayList;
import java.util.List;

/** The waves a release rolls out in: as configured, or by default the primary region first, then the rest. */
public final class Waves {
    private Waves() {
    }

    public static List<List<String>> of(List<List<String>> configured, String primary, List<String> replicas) {
        if (configured != null) {
            return configured;
        }
        List<List<String>> waves = new ArrayList<>();
        if (primary != null) {
            waves.add(List.of(primary));
        }
        if (!replicas.isEmpty()) {
            waves.add(List.copyOf(replicas));
        }
        return waves;
    }
}
