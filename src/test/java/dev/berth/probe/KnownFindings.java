package dev.berth.probe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Failures of the probe suite that known findings cause while they are being fixed: each entry is the exact failure
 * key (oracle, operation or page, identity, input class and field) with its reason, so nothing else can hide behind
 * an entry. Empty: every finding the suite has found is fixed. An entry that no longer fails is itself a failure of
 * the suite ({@link ProbeReport#assertClean}), so the list cannot outlive its fixes.
 */
final class KnownFindings {
    /** Failure keys, grouped by the finding behind them; add a group with its reason while a finding is open. */
    private static final Map<String, List<String>> OPEN = Map.of();

    private KnownFindings() {
    }

    /** Failure key to reason. */
    static Map<String, String> all() {
        Map<String, String> all = new LinkedHashMap<>();
        OPEN.forEach((reason, keys) -> keys.forEach(k -> all.put(k, reason)));
        return all;
    }
}
