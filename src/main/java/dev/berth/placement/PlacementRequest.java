package dev.berth.placement;

import java.util.List;
import java.util.Map;

/**
 * An app's placement as the API takes it. Absent (null) fields stay as they are.
 *
 * @param primary the region the app is served from first (and, in edge-cache mode, the origin)
 * @param replicas the other regions; ignored when {@code allRegions} is true
 * @param allRegions every region the tenant may use, now and later
 * @param mode {@code full} or {@code edge-cache}
 * @param waves region names per wave of a release rollout; an empty list resets to "the primary first, then the rest"
 * @param cacheRules edge cache rules by path prefix (edge-cache mode)
 * @param regionReplicas replicas per region ({@code {"eu": 3, "us": 1}}); regions not named run the app's replicas.
 *     Replaces every earlier count when given; a region's count leaves with the region.
 */
public record PlacementRequest(String primary, List<String> replicas, Boolean allRegions, String mode,
        List<List<String>> waves, Boolean pauseBetweenWaves, List<Placement.CacheRule> cacheRules,
        Map<String, Integer> regionReplicas) {
}
