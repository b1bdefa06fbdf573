package dev.berth.identity;

import dev.berth.tenancy.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Checks presented API tokens for the security layer. A token is {@code berth_} plus 32 random bytes (base64url);
 * only its SHA-256 is stored, which is safe without a salt because the secret itself has 256 bits of entropy.
 * Issuing and revoking tokens is the members package's {@code ApiTokenService}; authentication stays here, beside
 * the other ways a caller is identified.
 */
@ApplicationScoped
public class ApiTokens {
    public static final String PREFIX = "berth_";
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    /** A valid token as the security layer sees it. */
    public record Grant(long tokenId, String name, long tenantId, String tenantSlug, Role role, String app) {
    }

    /** The grant of a presented secret, or null when unknown, revoked or expired. Records "last used". */
    public Grant authenticate(String secret) {
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 100) {
            return null;
        }
        String hash = hash(secret);
        return QuarkusTransaction.requiringNew().call(() -> {
            ApiToken t = ApiToken.findByHash(hash);
            Instant now = Instant.now();
            if (t == null || !t.usable(now)) {
                return null;
            }
            if (t.lastUsedAt == null || t.lastUsedAt.plus(LAST_USED_GRANULARITY).isBefore(now)) {
                t.lastUsedAt = now;
            }
            Tenant tenant = Tenant.findById(t.tenantId);
            return new Grant(t.id, t.name, t.tenantId, tenant.slug, t.roleEnum(), t.appName);
        });
    }

    /** The stored form of a secret. */
    public static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
