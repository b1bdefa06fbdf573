package dev.berth.regions;

import java.util.List;

/**
 * An app's placement as the API takes it. Absent (null) fields stay as they are.
 *
 * @param primary the region the app is served from first (and, in edge-cache mode, the origin)
 * @param replicas the other regions; ignored when {@code allRegions} is true
 * @param allRegions every region the tenant may use, now and later
 * @param mode {@code full} or {@code edge-cache}
 * @param waves region names per wave of a release rollout; an empty list resets to "the primary first, then the rest"
 * @param cacheRules edge cache rules by path prefix (edge-cache mode)
 */
public record PlacementRequest(String primary, List<String> replicas, Boolean allRegions, String mode,
        List<List<String>> waves, Boolean pauseBetweenWaves, List<Placement.CacheRule> cacheRules) {
}
