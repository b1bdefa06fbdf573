package dev.berth.tenants;

import dev.berth.api.ApiException;
import dev.berth.api.Validator;
import dev.berth.audit.AuditLog;
import dev.berth.identity.CurrentUser;
import dev.berth.identity.ApiTokenService;
import dev.berth.identity.Membership;
import dev.berth.identity.Role;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.kube.Names;
import dev.berth.kube.Quantities;
import dev.berth.regions.Region;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Owns tenants: validates and records creation, limit changes, membership and deletion in one transaction each,
 * with an audit record, then lets the reconcilers converge every region's namespace to it.
 */
@ApplicationScoped
public class TenantService {
    static final String DEFAULT_CPU = "4";
    static final String DEFAULT_MEMORY = "8Gi";
    static final int DEFAULT_PODS = 40;
    static final int DEFAULT_APPS = 20;

    @Inject
    CurrentUser user;
    @Inject
    AuditLog audit;
    @Inject
    Event<DesiredStateChanged> changed;

    /** A page of the tenants the caller may see: all for platform admins, else those they are a member of. */
    @Transactional
    public List<TenantView> listVisible(int page, int size) {
        List<Tenant> tenants;
        Map<Long, String> roles = new LinkedHashMap<>();
        ApiTokenService.Grant grant = user.token();
        if (grant != null) {
            roles.put(grant.tenantId(), grant.role().value());
            tenants = page == 0 ? List.of(Tenant.<Tenant>findById(grant.tenantId())) : List.of();
        } else if (user.isPlatformAdmin()) {
            tenants = Tenant.find("order by slug").page(page, size).list();
        } else {
            List<Membership> mine = Membership.listBySubject(user.subject());
            mine.forEach(m -> roles.put(m.id.tenantId, m.role));
            tenants = mine.isEmpty() ? List.of()
                    : Tenant.find("id in ?1 order by slug", roles.keySet()).page(page, size).list();
        }
        return views(tenants, roles);
    }

    @Transactional
    public long countVisible() {
        if (user.token() != null) {
            return 1;
        }
        return user.isPlatformAdmin() ? Tenant.count() : Membership.count("id.subject", user.subject());
    }

    @Transactional
    public TenantView get(long tenantId, Role role) {
        Tenant t = Tenant.findById(tenantId);
        return views(List.of(t), Map.of(t.id, role.value())).get(0);
    }

    private List<TenantView> views(List<Tenant> tenants, Map<Long, String> roles) {
        List<Long> ids = tenants.stream().map(t -> t.id).toList();
        Map<Long, TenantView.Usage> usage = TenantUsage.forTenants(ids);
        Map<Long, List<String>> regions = regionsOf(ids);
        String adminRole = user.isPlatformAdmin() ? Role.OWNER.value() : null;
        return tenants.stream().map(t -> TenantView.of(t, usage.get(t.id), regions.getOrDefault(t.id, List.of()),
                roles.getOrDefault(t.id, adminRole))).toList();
    }

    @Transactional
    public TenantView create(TenantRequests.Create req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        Validator v = new Validator();
        v.rule("slug", Names.checkTenantSlug(req.slug()));
        v.check(req.displayName() == null || req.displayName().length() <= 100, "displayName",
                "must be at most 100 characters long");
        Limits limits = Limits.validate(v, req.cpu(), req.memory(), req.pods(), req.apps(), null);
        List<String> owners = req.owners() == null ? List.of() : req.owners().stream()
                .filter(Objects::nonNull).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
        for (int i = 0; i < owners.size(); i++) {
            v.check(owners.get(i).length() <= 200, "owners[" + i + "]", "must be at most 200 characters long");
        }
        v.throwIfInvalid();
        if (Tenant.findBySlug(req.slug()) != null) {
            throw ApiException.conflict("slug", "a tenant named '" + req.slug() + "' already exists");
        }
        List<Region> regions = Region.listAllByName();
        Tenant t = new Tenant();
        t.slug = req.slug();
        t.displayName = req.displayName() == null || req.displayName().isBlank() ? req.slug() : req.displayName().trim();
        limits.applyTo(t);
        t.createdBy = user.subject();
        t.persist();
        for (Region r : regions) {
            TenantRegion.of(t.id, r.id).persist();
        }
        for (String owner : owners) {
            Membership m = new Membership();
            m.id = new Membership.Key(t.id, owner);
            m.role = Role.OWNER.value();
            m.persist();
        }
        audit.record(t.id, t.slug, null, "tenant.create", "created tenant " + t.slug + " (" + limits.describe() + ")"
                + (owners.isEmpty() ? "" : ", owners " + String.join(", ", owners)), limits.asMap());
        changed.fire(new DesiredStateChanged(t.slug));
        return views(List.of(t), Map.of()).get(0);
    }

    @Transactional
    public TenantView updateLimits(long tenantId, TenantRequests.UpdateLimits req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        Tenant t = Tenant.findById(tenantId);
        Validator v = new Validator();
        v.check(req.displayName() == null || req.displayName().length() <= 100, "displayName",
                "must be at most 100 characters long");
        Limits limits = Limits.validate(v, req.cpu(), req.memory(), req.pods(), req.apps(), t);
        v.throwIfInvalid();
        Map<String, Object> before = Limits.of(t).asMap();
        limits.applyTo(t);
        if (req.displayName() != null && !req.displayName().isBlank()) {
            t.displayName = req.displayName().trim();
        }
        t.updatedAt = Instant.now();
        Map<String, Object> diff = diff(before, limits.asMap());
        audit.record(t.id, t.slug, null, "tenant.update", diff.isEmpty() ? "no limit changed"
                : "changed limits: " + diff.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ")), diff);
        changed.fire(new DesiredStateChanged(t.slug));
        return get(t.id, Role.OWNER);
    }

    /** Deletes a tenant, its apps and memberships; the reconcilers then remove its namespaces in every region. */
    @Transactional
    public void delete(long tenantId, String confirm) {
        Tenant t = Tenant.findById(tenantId);
        if (confirm == null || !confirm.equals(t.slug)) {
            throw ApiException.invalid("confirm", "type the tenant's name '" + t.slug + "' to confirm the deletion");
        }
        long apps = Panache.getEntityManager().createQuery("delete from App a where a.tenantId = :t")
                .setParameter("t", t.id).executeUpdate();
        Membership.delete("id.tenantId", t.id);
        TenantRegion.delete("tenantId", t.id);
        audit.record(t.id, t.slug, null, "tenant.delete", "deleted tenant " + t.slug + " and its " + apps + " app(s)",
                null);
        t.delete();
        changed.fire(new DesiredStateChanged(t.slug));
    }

    @Transactional
    public List<Map<String, Object>> members(long tenantId) {
        return Membership.listByTenant(tenantId).stream()
                .map(m -> Map.<String, Object>of("subject", m.id.subject, "role", m.role, "since", m.createdAt))
                .toList();
    }

    /** Adds a member or changes their role; a tenant always keeps at least one owner. */
    @Transactional
    public void putMember(long tenantId, String subject, String roleText) {
        Role role = Role.parse(roleText);
        Validator v = new Validator();
        v.check(subject != null && !subject.isBlank() && subject.length() <= 200, "subject",
                "must be a user name of 1 to 200 characters");
        v.check(role != null, "role", "must be one of owner, developer, viewer");
        v.throwIfInvalid();
        Tenant t = Tenant.findById(tenantId);
        Membership m = Membership.find(tenantId, subject);
        String before = m == null ? null : m.role;
        if (m == null) {
            m = new Membership();
            m.id = new Membership.Key(tenantId, subject);
            m.role = role.value();
            m.persist();
        } else {
            requireAnotherOwner(tenantId, m);
            m.role = role.value();
        }
        audit.record(t.id, t.slug, null, "member.put", subject + ": " + (before == null ? "added as " : before + " -> ")
                + role.value(), null);
    }

    @Transactional
    public void removeMember(long tenantId, String subject) {
        Tenant t = Tenant.findById(tenantId);
        Membership m = Membership.find(tenantId, subject);
        if (m == null) {
            throw ApiException.notFound("member", subject);
        }
        requireAnotherOwner(tenantId, m);
        m.delete();
        audit.record(t.id, t.slug, null, "member.remove", "removed " + subject + " (" + m.role + ")", null);
    }

    private static void requireAnotherOwner(long tenantId, Membership changing) {
        if (Role.OWNER.value().equals(changing.role)
                && Membership.count("id.tenantId = ?1 and role = 'owner'", tenantId) <= 1) {
            throw ApiException.conflict("role", "a tenant must keep at least one owner; add another owner first");
        }
    }

    private static Map<Long, List<String>> regionsOf(List<Long> tenantIds) {
        Map<Long, List<String>> result = new LinkedHashMap<>();
        if (tenantIds.isEmpty()) {
            return result;
        }
        List<Object[]> rows = Panache.getEntityManager().createQuery(
                "select tr.tenantId, r.name from TenantRegion tr, Region r where r.id = tr.regionId "
                        + "and tr.tenantId in :ids order by r.name", Object[].class).setParameter("ids", tenantIds)
                .getResultList();
        for (Object[] r : rows) {
            result.computeIfAbsent(((Number) r[0]).longValue(), k -> new ArrayList<>()).add((String) r[1]);
        }
        return result;
    }

    private static Map<String, Object> diff(Map<String, Object> before, Map<String, Object> after) {
        Map<String, Object> d = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            if (!Objects.equals(before.get(k), v)) {
                d.put(k, before.get(k) + " -> " + v);
            }
        });
        return d;
    }

    /** Validated limits; a null field keeps the current value (or the default for a new tenant). */
    record Limits(int cpuMillis, long memoryBytes, int pods, int apps) {
        static Limits of(Tenant t) {
            return new Limits(t.cpuMillis, t.memoryBytes, t.maxPods, t.maxApps);
        }

        static Limits validate(Validator v, String cpu, String memory, Integer pods, Integer apps, Tenant current) {
            int cpuMillis = cpu == null ? (current == null ? Quantities.parseCpuMillis(DEFAULT_CPU) : current.cpuMillis)
                    : Quantities.parseCpuMillis(cpu);
            long memoryBytes = memory == null
                    ? (current == null ? Quantities.parseMemoryBytes(DEFAULT_MEMORY) : current.memoryBytes)
                    : Quantities.parseMemoryBytes(memory);
            int p = pods == null ? (current == null ? DEFAULT_PODS : current.maxPods) : pods;
            int a = apps == null ? (current == null ? DEFAULT_APPS : current.maxApps) : apps;
            v.check(cpuMillis > 0, "cpu", "must be a CPU quantity such as 2 or 500m (at most 1000 cores)");
            v.check(memoryBytes > 0, "memory", "must be a memory quantity such as 512Mi or 8Gi");
            v.check(p >= 1 && p <= 10_000, "pods", "must be between 1 and 10000");
            v.check(a >= 1 && a <= 1_000, "apps", "must be between 1 and 1000");
            return new Limits(cpuMillis, memoryBytes, p, a);
        }

        void applyTo(Tenant t) {
            t.cpuMillis = cpuMillis;
            t.memoryBytes = memoryBytes;
            t.maxPods = pods;
            t.maxApps = apps;
        }

        Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cpu", Quantities.cpu(cpuMillis));
            m.put("memory", Quantities.memory(memoryBytes));
            m.put("pods", pods);
            m.put("apps", apps);
            return m;
        }

        String describe() {
            return asMap().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        }
    }
}
