package dev.berth.placement;

import dev.berth.api.Validator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Validation of placement settings: waves that cover every region once, replica counts per region, and edge cache
 * rules.
 */
final class PlacementRules {
    static final int MAX_RULES = 50;
    static final int MAX_TTL = 31 * 24 * 3600;
    /** The same bound as an app's own replicas. */
    static final int MAX_REGION_REPLICAS = 100;

    private PlacementRules() {
    }

    static void waves(Validator v, List<List<String>> waves, List<String> regions) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < waves.size(); i++) {
            List<String> wave = waves.get(i);
            v.check(wave != null && !wave.isEmpty(), "waves[" + i + "]", "must name at least one region");
            if (wave == null) {
                continue;
            }
            for (String r : wave) {
                v.check(regions.contains(r), "waves[" + i + "]", "'" + r + "' is not a region of the placement "
                        + regions);
                v.check(r == null || seen.add(r), "waves[" + i + "]", "'" + r + "' is in more than one wave");
            }
        }
        Set<String> missing = new HashSet<>(regions);
        missing.removeAll(seen);
        v.check(missing.isEmpty(), "waves", "every region of the placement must be in a wave; missing " + missing);
    }

    /**
     * The replica counts per region of a request: each must name a region of the placement ({@code after}) and be
     * between 0 and {@link #MAX_REGION_REPLICAS}; a null count means "the app's replicas". Returns the counts set.
     */
    static Map<String, Integer> regionReplicas(Validator v, Map<String, Integer> requested, List<String> after) {
        Map<String, Integer> counts = new TreeMap<>();
        new TreeMap<>(requested).forEach((region, n) -> {
            String f = "regionReplicas." + region;
            if (!after.contains(region)) {
                v.add(f, "'" + region + "' is not a region of the placement " + after);
            } else if (n != null && (n < 0 || n > MAX_REGION_REPLICAS)) {
                v.add(f, "must be between 0 and " + MAX_REGION_REPLICAS);
            } else if (n != null) {
                counts.put(region, n);
            }
        });
        return counts;
    }

    static void cacheRules(Validator v, List<Placement.CacheRule> rules) {
        v.check(rules.size() <= MAX_RULES, "cacheRules", "at most " + MAX_RULES + " rules");
        for (int i = 0; i < rules.size(); i++) {
            Placement.CacheRule r = rules.get(i);
            String f = "cacheRules[" + i + "]";
            if (r == null) {
                v.add(f, "is required");
                continue;
            }
            v.check(r.pathPrefix() != null && r.pathPrefix().matches("/[A-Za-z0-9._~/-]{0,200}"), f + ".pathPrefix",
                    "must be a path starting with / (letters, digits and . _ ~ / - only)");
            v.check(r.ttlSeconds() >= 0 && r.ttlSeconds() <= MAX_TTL, f + ".ttlSeconds",
                    "must be between 0 and " + MAX_TTL);
        }
    }
}
