package dev.berth.keyring;

import java.util.List;
import java.util.Map;

/**
 * The key ring as platform admins see it: key ids only, never key material. {@code values} counts stored sealed
 * values per key id ({@code v1}: sealed before key ids); {@code remaining} of them are not under the current key
 * yet. A key may leave the ring once it seals no value any more.
 */
public record KeyRingView(String currentKey, List<String> keys, Map<String, Long> values, long remaining,
        boolean resealing, LastRun lastRun) {

    /** The last re-sealing run on this instance. */
    public record LastRun(String finishedAt, long resealed, long failed, List<String> errors) {
    }
}
