package dev.berth.identity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Version;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A user's role in one tenant, keyed by the identity provider's subject (Keycloak's user id; the user name for the
 * local login). The user name and address are what the provider reported when the member was added.
 */
@Entity
public class Membership extends PanacheEntityBase {
    @EmbeddedId
    public Key id;
    public String role;
    public String username;
    public String email;
    public Instant createdAt = Instant.now();
    /** Optimistic lock: a write based on an older version is refused (409). */
    @Version
    public long version;

    @Embeddable
    public static class Key implements Serializable {
        public Long tenantId;
        public String subject;

        public Key() {
        }

        public Key(Long tenantId, String subject) {
            this.tenantId = tenantId;
            this.subject = subject;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(tenantId, k.tenantId) && Objects.equals(subject, k.subject);
        }

        @Override
        public int hashCode() {
            return Objects.hash(tenantId, subject);
        }
    }

    public static Membership find(long tenantId, String subject) {
        return findById(new Key(tenantId, subject));
    }

    public static List<Membership> listByTenant(long tenantId) {
        return list("id.tenantId = ?1 order by username, id.subject", tenantId);
    }

    /** The member a reference names: their subject, else their user name or address. */
    public static Membership findByReference(long tenantId, String ref) {
        Membership bySubject = find(tenantId, ref);
        return bySubject != null ? bySubject
                : find("id.tenantId = ?1 and (username = ?2 or lower(email) = lower(?2))", tenantId, ref).firstResult();
    }

    public static long countOwners(long tenantId) {
        return count("id.tenantId = ?1 and role = 'owner'", tenantId);
    }

    public static List<Membership> listBySubject(String subject) {
        return list("id.subject", subject);
    }

    public Role roleEnum() {
        return Role.parse(role);
    }
}
