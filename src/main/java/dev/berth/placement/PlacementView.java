package dev.berth.placement;

import java.util.List;
import java.util.Map;

/**
 * An app's placement: its regions with their role and replica count, the counts set per region
 * ({@code regionReplicas}; the others run the app's replicas), and how releases reach them (the waves in force).
 */
public record PlacementView(String app, String primary, List<String> replicas, boolean allRegions, String mode,
        List<List<String>> waves, boolean pauseBetweenWaves, List<Placement.CacheRule> cacheRules,
        int cacheGeneration, Map<String, Integer> regionReplicas, List<RegionRole> regions, long version) {

    /**
     * One region of the placement with the replicas it runs; {@code pinnedRelease} is set while the region waits
     * for its wave.
     */
    public record RegionRole(String region, String role, int replicas, Integer pinnedRelease) {
    }
}
