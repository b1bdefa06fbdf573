package dev.berth.identity;

import dev.berth.api.ApiException;
import dev.berth.api.Validator;
import dev.berth.apps.App;
import dev.berth.audit.AuditLog;
import dev.berth.tenancy.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Issues, lists, revokes and checks API tokens. A token is {@code berth_} plus 32 random bytes (base64url); only
 * its SHA-256 is stored, which is safe without a salt because the secret itself has 256 bits of entropy.
 */
@ApplicationScoped
public class ApiTokenService {
    public static final String PREFIX = "berth_";
    static final int MAX_DAYS = 366;
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);
    private final SecureRandom random = new SecureRandom();
    @Inject
    CurrentUser user;
    @Inject
    AuditLog audit;

    /** The secret is returned here and never again. */
    public record Issued(ApiTokenView token, String secret) {
    }

    public record Create(String name, String role, String app, Integer expiresInDays) {
    }

    /** A valid token as the security layer sees it. */
    public record Grant(long tokenId, String name, long tenantId, String tenantSlug, Role role, String app) {
    }

    @Transactional
    public Issued create(long tenantId, Create req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        Role role = Role.parse(req.role() == null ? "developer" : req.role());
        int days = req.expiresInDays() == null ? 90 : req.expiresInDays();
        Validator v = new Validator();
        v.check(req.name() != null && !req.name().isBlank() && req.name().length() <= 100, "name",
                "must be 1 to 100 characters, e.g. 'github-actions'");
        v.check(role != null, "role", "must be one of owner, developer, viewer");
        v.check(days >= 1 && days <= MAX_DAYS, "expiresInDays", "must be between 1 and " + MAX_DAYS);
        if (req.app() != null) {
            v.check(App.findByName(tenantId, req.app()) != null, "app", "no app named '" + req.app() + "' in this tenant");
        }
        v.throwIfInvalid();
        if (ApiToken.count("tenantId = ?1 and name = ?2", tenantId, req.name().trim()) > 0) {
            throw ApiException.conflict("name", "a token named '" + req.name().trim() + "' already exists");
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        ApiToken t = new ApiToken();
        t.tenantId = tenantId;
        t.appName = req.app();
        t.name = req.name().trim();
        t.role = role.value();
        t.tokenHash = hash(secret);
        t.prefix = secret.substring(0, PREFIX.length() + 6);
        t.createdBy = user.name();
        t.expiresAt = Instant.now().plus(Duration.ofDays(days));
        t.persist();
        Tenant tenant = Tenant.findById(tenantId);
        audit.record(tenantId, tenant.slug, req.app(), "token.create", "created API token '" + t.name + "' (" + t.role
                + (t.appName == null ? "" : ", app " + t.appName) + ", expires " + t.expiresAt + ")", null);
        return new Issued(ApiTokenView.of(t), secret);
    }

    @Transactional
    public List<ApiTokenView> list(long tenantId) {
        return ApiToken.listByTenant(tenantId).stream().map(ApiTokenView::of).toList();
    }

    @Transactional
    public void revoke(long tenantId, long tokenId) {
        ApiToken t = ApiToken.findById(tokenId);
        if (t == null || t.tenantId != tenantId) {
            throw ApiException.notFound("token", String.valueOf(tokenId));
        }
        if (t.revokedAt == null) {
            t.revokedAt = Instant.now();
            Tenant tenant = Tenant.findById(tenantId);
            audit.record(tenantId, tenant.slug, t.appName, "token.revoke", "revoked API token '" + t.name + "'", null);
        }
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

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
