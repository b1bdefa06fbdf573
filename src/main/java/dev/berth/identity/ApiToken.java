package dev.berth.identity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.DynamicUpdate;

/** A CI credential scoped to one tenant (optionally one app) with a role; only the hash of its secret is kept. */
/*
 * Every request a token authenticates may record its last use, while its owner revokes it: only changed columns
 * are written, so a "last used" write read before a revoke does not put the revocation time back to null.
 */
@Entity
@DynamicUpdate
public class ApiToken extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Long tenantId;
    public String appName;
    public String name;
    public String role;
    @JdbcTypeCode(SqlTypes.CHAR)
    public String tokenHash;
    /** The first characters of the secret, so people can tell tokens apart without seeing them. */
    public String prefix;
    public String createdBy;
    public Instant createdAt = Instant.now();
    public Instant expiresAt;
    public Instant revokedAt;
    public Instant lastUsedAt;

    public static ApiToken findByHash(String hash) {
        return find("tokenHash", hash).firstResult();
    }

    public static List<ApiToken> listByTenant(long tenantId) {
        return list("tenantId = ?1 order by createdAt desc, id desc", tenantId);
    }

    public boolean usable(Instant now) {
        return revokedAt == null && expiresAt.isAfter(now);
    }

    public Role roleEnum() {
        return Role.parse(role);
    }
}
