package dev.berth.members;

import dev.berth.api.ApiException;
import dev.berth.api.Validator;
import dev.berth.apps.App;
import dev.berth.audit.AuditLog;
import dev.berth.identity.ApiToken;
import dev.berth.identity.ApiTokens;
import dev.berth.identity.CurrentUser;
import dev.berth.identity.Role;
import dev.berth.tenancy.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Issues, lists and revokes a tenant's API tokens (checking a presented one is identity's {@link ApiTokens}). A
 * token may be limited to one app of the tenant, so issuing one sits above apps.
 */
@ApplicationScoped
public class ApiTokenService {
    static final int MAX_DAYS = 366;
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
        String secret = ApiTokens.PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        ApiToken t = new ApiToken();
        t.tenantId = tenantId;
        t.appName = req.app();
        t.name = req.name().trim();
        t.role = role.value();
        t.tokenHash = ApiTokens.hash(secret);
        t.prefix = secret.substring(0, ApiTokens.PREFIX.length() + 6);
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
}
