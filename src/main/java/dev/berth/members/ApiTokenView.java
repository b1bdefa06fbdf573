package dev.berth.members;

import dev.berth.identity.ApiToken;
import java.time.Instant;

/** A token as the API lists it: never its secret, only the first characters to tell tokens apart. */
public record ApiTokenView(long id, String name, String role, String app, String prefix, String createdBy,
        Instant createdAt, Instant expiresAt, Instant revokedAt, Instant lastUsedAt, boolean active) {

    static ApiTokenView of(ApiToken t) {
        return new ApiTokenView(t.id, t.name, t.role, t.appName, t.prefix + "…", t.createdBy, t.createdAt, t.expiresAt,
                t.revokedAt, t.lastUsedAt, t.usable(Instant.now()));
    }
}
