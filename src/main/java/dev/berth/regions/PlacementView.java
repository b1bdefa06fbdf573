package dev.berth.regions;

import java.util.List;

/** An app's placement: its regions with their role, and how releases reach them (the waves in force). */
public record PlacementView(String app, String primary, List<String> replicas, boolean allRegions, String mode,
        List<List<String>> waves, boolean pauseBetweenWaves, List<Placement.CacheRule> cacheRules,
        int cacheGeneration, List<RegionRole> regions) {

    /** One region of the placement; {@code pinnedRelease} is set while the region waits for its wave. */
    public record RegionRole(String region, String role, Integer pinnedRelease) {
    }
}
