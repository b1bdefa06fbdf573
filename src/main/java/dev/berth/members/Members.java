package dev.berth.members;

import dev.berth.api.ApiException;
import dev.berth.api.Validator;
import dev.berth.audit.AuditLog;
import dev.berth.identity.Directory;
import dev.berth.identity.KeycloakDirectory;
import dev.berth.identity.Membership;
import dev.berth.identity.Role;
import dev.berth.tenancy.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tenant's members: added by a user name or e-mail address the identity provider knows, stored under its subject,
 * with one of the roles owner, developer, viewer. A tenant always keeps at least one owner; changes that would
 * leave none are refused, and they take a row lock on the tenant so two owners demoting each other at the same
 * moment cannot both succeed.
 */
@ApplicationScoped
public class Members {
    static final int MAX_REFERENCE = 320;
    @Inject
    dev.berth.api.Preconditions preconditions;
    @Inject
    Directory directory;
    @Inject
    AuditLog audit;

    /** The user a name or address stands for, or null when the identity provider knows no such user. */
    public Directory.User lookup(String usernameOrEmail) {
        if (usernameOrEmail == null || usernameOrEmail.isBlank() || usernameOrEmail.length() > MAX_REFERENCE) {
            return null;
        }
        try {
            return directory.find(usernameOrEmail.trim()).orElse(null);
        } catch (KeycloakDirectory.DirectoryUnavailable e) {
            throw new ApiException(503, "Service Unavailable", "the identity provider cannot be asked about '"
                    + usernameOrEmail + "' right now: " + e.getMessage(), null);
        }
    }

    public static Membership membership(long tenantId, Directory.User user, Role role) {
        Membership m = new Membership();
        m.id = new Membership.Key(tenantId, user.subject());
        m.username = user.username();
        m.email = user.email();
        m.role = role.value();
        return m;
    }

    @Transactional
    public List<Map<String, Object>> list(long tenantId) {
        return Membership.listByTenant(tenantId).stream().map(Members::view).toList();
    }

    static Map<String, Object> view(Membership m) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("subject", m.id.subject);
        v.put("username", m.username);
        v.put("email", m.email);
        v.put("role", m.role);
        v.put("since", m.createdAt);
        v.put("version", m.version);
        return v;
    }

    /**
     * Adds a member or changes their role. {@code user} is a user name or address (looked up in the identity
     * provider) or the subject or name of an existing member; {@code field} names it in errors.
     */
    @Transactional
    public Map<String, Object> put(long tenantId, String user, String roleText, String field) {
        Role role = Role.parse(roleText);
        Validator v = new Validator();
        v.check(user != null && !user.isBlank() && user.length() <= MAX_REFERENCE, field,
                "must be a user name or e-mail address of 1 to " + MAX_REFERENCE + " characters");
        v.check(role != null, "role", "must be one of owner, developer, viewer");
        v.throwIfInvalid();
        Tenant t = lockTenant(tenantId);
        Membership m = Membership.findByReference(tenantId, user.trim());
        if (m == null) {
            Directory.User found = lookup(user);
            if (found == null) {
                throw ApiException.invalid(field, "no user '" + user.trim()
                        + "' is known to the identity provider; give a user name or e-mail address");
            }
            m = Membership.find(tenantId, found.subject());
            if (m == null) {
                m = membership(tenantId, found, role);
                m.persist();
                audit.record(t.id, t.slug, null, "member.add", m.username + " added as " + role.value(),
                        Map.of("member", m.username, "role", role.value()));
                return view(m);
            }
        }
        preconditions.check("the membership of " + m.username, m.version);
        String before = m.role;
        if (!before.equals(role.value())) {
            if (role != Role.OWNER) {
                requireAnotherOwner(tenantId, m, "demote");
            }
            m.role = role.value();
            audit.record(t.id, t.slug, null, "member.role", m.username + ": " + before + " -> " + role.value(),
                    Map.of("member", m.username, "role", before + " -> " + role.value()));
        }
        io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush(); // the response shows the new version
        return view(m);
    }

    @Transactional
    public void remove(long tenantId, String user) {
        Tenant t = lockTenant(tenantId);
        Membership m = user == null ? null : Membership.findByReference(tenantId, user.trim());
        if (m == null) {
            throw ApiException.notFound("member", user);
        }
        requireAnotherOwner(tenantId, m, "remove");
        m.delete();
        audit.record(t.id, t.slug, null, "member.remove", "removed " + m.username + " (" + m.role + ")",
                Map.of("member", m.username, "role", m.role));
    }

    private static Tenant lockTenant(long tenantId) {
        return Tenant.findById(tenantId, LockModeType.PESSIMISTIC_WRITE);
    }

    private static void requireAnotherOwner(long tenantId, Membership changing, String verb) {
        if (Role.OWNER.value().equals(changing.role) && Membership.countOwners(tenantId) <= 1) {
            throw ApiException.conflict("role", "cannot " + verb + " " + changing.username
                    + ": a tenant must keep at least one owner; make someone else owner first");
        }
    }
}
