package dev.berth.api;

import java.util.List;

/**
 * A write based on an older version of the thing it changes: the caller's {@code If-Match} names a version that is
 * no longer current, or another request committed a change to the same row first. Answered 409 with the current
 * version (when known), so a client reads again and decides; nothing of the refused write is stored.
 */
public class VersionConflict extends ApiException {
    private final Long currentVersion;

    public VersionConflict(String what, Long currentVersion) {
        super(409, "Conflict", what + " was changed by another request meanwhile"
                + (currentVersion == null ? "" : " (it is now at version " + currentVersion + ")")
                + "; read it again and retry", List.of(new FieldError("If-Match", "is not the current version")));
        this.currentVersion = currentVersion;
    }

    public Long currentVersion() {
        return currentVersion;
    }
}
