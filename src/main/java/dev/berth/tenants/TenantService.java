package dev.berth.tenants;

import dev.berth.api.ApiException;
import dev.berth.api.Page;
import dev.berth.api.Validator;
import dev.berth.audit.AuditLog;
import dev.berth.identity.ApiTokens;
import dev.berth.identity.CurrentUser;
import dev.berth.identity.Directory;
import dev.berth.identity.Membership;
import dev.berth.identity.Role;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.kube.Names;
import dev.berth.kube.Quantities;
import dev.berth.members.Members;
import dev.berth.quotas.LimitsRequest;
import dev.berth.quotas.Plan;
import dev.berth.quotas.QuotasConfig;
import dev.berth.regions.Region;
import dev.berth.tenancy.QuotaLimits;
import dev.berth.tenancy.QuotaOverrides;
import dev.berth.tenancy.Tenant;
import dev.berth.tenancy.TenantRegion;
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
 * Owns tenants: validates and records creation, plan and limit-override changes, membership and deletion in one transaction each,
 * with an audit record, then lets the reconcilers converge every region's namespace to it.
 */
@ApplicationScoped
public class TenantService {
    @Inject
    dev.berth.api.Preconditions preconditions;
    @Inject
    CurrentUser user;
    @Inject
    AuditLog audit;
    @Inject
    Event<DesiredStateChanged> changed;
    @Inject
    QuotasConfig quotasConfig;
    @Inject
    dev.berth.quotas.QuotaService quotas;
    @Inject
    Members members;

    /** The tenant search text of a request, at most 100 characters (400 naming {@code q} otherwise); null if blank. */
    public static String search(String q) {
        if (q != null && q.length() > 100) {
            throw ApiException.invalid("q", "must be at most 100 characters long");
        }
        return q == null || q.isBlank() ? null : q.strip();
    }

    /** A page of the tenants the caller may see: all for platform admins, else those they are a member of. */
    @Transactional
    public List<TenantView> listVisible(int page, int size) {
        return pageVisible(page, size, null, null).items();
    }

    /**
     * A page of the tenants the caller may see (all for platform admins, else those they are a member of), by slug:
     * the {@code page}-th, or with {@code after} (a slug, the {@code next} cursor of the page before) the tenants that
     * follow it, read by keyset. {@code q} keeps the tenants whose slug or display name contains it (any case);
     * {@code total} counts the matches. A fixed number of statements whatever the page size.
     */
    @Transactional
    public Page<TenantView> pageVisible(int page, int size, String q, String after) {
        Map<Long, String> roles = new LinkedHashMap<>();
        ApiTokens.Grant grant = user.token();
        String like = q == null || q.isBlank() ? null
                : "%" + q.strip().toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%")
                        .replace("_", "\\_") + "%";
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new LinkedHashMap<>();
        if (grant != null) {
            // An app-scoped token sees its one app and nothing of the tenant (TenantAccessFilter), so no tenant here.
            if (grant.app() != null) {
                return new Page<>(List.of(), 0, page, size);
            }
            roles.put(grant.tenantId(), grant.role().value());
            where.add("id = :id");
            params.put("id", grant.tenantId());
        } else if (!user.isPlatformAdmin()) {
            Membership.listBySubject(user.subject()).forEach(m -> roles.put(m.id.tenantId, m.role));
            if (roles.isEmpty()) {
                return new Page<>(List.of(), 0, page, size);
            }
            where.add("id in :ids");
            params.put("ids", roles.keySet());
        }
        if (like != null) {
            where.add("(lower(slug) like :q or lower(displayName) like :q)");
            params.put("q", like);
        }
        String filter = String.join(" and ", where);
        // A JPQL count, whose translation Hibernate caches (Panache's count() is translated on every call).
        var count = Panache.getEntityManager().createQuery("select count(*) from Tenant"
                + (where.isEmpty() ? "" : " where " + filter), Long.class);
        params.forEach(count::setParameter);
        long total = count.getSingleResult();
        if (after != null) {
            where.add("slug > :after");
            params.put("after", after);
        }
        String query = (where.isEmpty() ? "" : String.join(" and ", where) + " ") + "order by slug";
        int first = after != null ? 0 : (int) Math.min(Integer.MAX_VALUE, (long) page * size);
        List<Tenant> read = Tenant.<Tenant>find(query, params).range(first, first + size).list();
        String next = Page.nextCursor(read, size, t -> t.slug);
        List<Tenant> tenants = read.size() > size ? read.subList(0, size) : read;
        return new Page<>(views(tenants, roles), total, after != null ? 0 : page, size, next);
    }

    @Transactional
    public long countVisible() {
        if (user.token() != null) {
            return user.token().app() != null ? 0 : 1;
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
        Map<Long, dev.berth.quotas.QuotaUsage> usage = quotas.usage(ids);
        Map<Long, List<String>> regions = regionsOf(ids);
        String adminRole = user.isPlatformAdmin() ? Role.OWNER.value() : null;
        Map<Long, Plan> plans = Plan.<Plan>listAll().stream().collect(Collectors.toMap(p -> p.id, p -> p));
        return tenants.stream().map(t -> {
            Plan p = plans.get(t.planId);
            return TenantView.of(t, p.name, p.limits().with(t.overrides()), TenantView.Usage.of(usage.get(t.id)),
                    quotasConfig.nearLimitPercent(), regions.getOrDefault(t.id, List.of()),
                    roles.getOrDefault(t.id, adminRole));
        }).toList();
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
        Plan plan = planNamed(v, req.plan() == null ? quotasConfig.defaultPlan() : req.plan());
        QuotaOverrides overrides = Overrides.validate(v, req.overrides(), QuotaOverrides.NONE, req.cpu(), req.memory(),
                req.pods(), req.apps());
        // Left out, the tenant starts without owners (platform admins act as owners and add them later); given, the
        // list must name at least one person and every entry must be one.
        v.check(req.owners() == null || !req.owners().isEmpty(), "owners",
                "must name at least one owner; leave the field out to add owners later");
        List<Directory.User> ownerUsers = new ArrayList<>();
        List<String> owners = new ArrayList<>();
        for (int i = 0; req.owners() != null && i < req.owners().size(); i++) {
            String o = req.owners().get(i);
            if (o == null || o.isBlank()) {
                v.check(false, "owners[" + i + "]", "must be a user name or e-mail address");
                continue;
            }
            o = o.trim();
            Directory.User u = o.length() <= 320 ? members.lookup(o) : null;
            v.check(u != null, "owners[" + i + "]", "no user '" + (o.length() <= 320 ? o : o.substring(0, 320) + "...")
                    + "' is known to the identity provider; give a user name or e-mail address");
            if (!owners.contains(o)) {
                owners.add(o);
                ownerUsers.add(u);
            }
        }
        if (plan != null) {
            LimitsRequest.checkConsistent(v, "overrides.", plan.limits().with(overrides));
        }
        v.throwIfInvalid();
        QuotaLimits limits = plan.limits().with(overrides);
        if (Tenant.findBySlug(req.slug()) != null) {
            throw ApiException.conflict("slug", "a tenant named '" + req.slug() + "' already exists");
        }
        // A plan may allow fewer regions than the installation has: the tenant starts in the first ones by name
        // of those open to new tenants (admins grant the others per tenant).
        List<Region> all = Region.listAllByName().stream().filter(r -> r.openToNewTenants).toList();
        List<Region> regions = all.subList(0, Math.min(all.size(), limits.regions()));
        Tenant t = new Tenant();
        t.slug = req.slug();
        t.displayName = req.displayName() == null || req.displayName().isBlank() ? req.slug() : req.displayName().trim();
        t.planId = plan.id;
        t.setOverrides(overrides);
        t.createdBy = user.name();
        t.persist();
        for (Region r : regions) {
            TenantRegion.of(t.id, r.id).persist();
        }
        for (Directory.User owner : ownerUsers.stream().distinct().toList()) {
            Members.membership(t.id, owner, Role.OWNER).persist();
        }
        Map<String, Object> described = describe(plan, overrides);
        audit.record(t.id, t.slug, null, "tenant.create", "created tenant " + t.slug + " on plan " + plan.name
                + (overrides.isEmpty() ? "" : " with overrides " + overrides.asMap())
                + (owners.isEmpty() ? "" : ", owners " + String.join(", ", owners)), described);
        changed.fire(new DesiredStateChanged(t.slug));
        return views(List.of(t), Map.of()).get(0);
    }

    @Transactional
    public TenantView updateLimits(long tenantId, TenantRequests.UpdateLimits req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        Tenant t = Tenant.findById(tenantId);
        preconditions.check("tenant " + t.slug, t.version);
        Validator v = new Validator();
        v.check(req.displayName() == null || req.displayName().length() <= 100, "displayName",
                "must be at most 100 characters long");
        Plan before = Plan.findById(t.planId);
        Plan plan = req.plan() == null ? before : planNamed(v, req.plan());
        QuotaOverrides base = req.overrides() == null ? t.overrides() : QuotaOverrides.NONE;
        QuotaOverrides overrides = Overrides.validate(v, req.overrides(), base, req.cpu(), req.memory(), req.pods(),
                req.apps());
        if (plan != null) {
            LimitsRequest.checkConsistent(v, "overrides.", plan.limits().with(overrides));
        }
        v.throwIfInvalid();
        // Lowering a limit below current use is allowed: nothing running is touched, QuotaService refuses growth.
        Map<String, Object> was = describe(before, t.overrides());
        t.planId = plan.id;
        t.setOverrides(overrides);
        if (req.displayName() != null && !req.displayName().isBlank()) {
            t.displayName = req.displayName().trim();
        }
        t.updatedAt = Instant.now();
        Map<String, Object> diff = diff(was, describe(plan, overrides));
        audit.record(t.id, t.slug, null, "tenant.update", diff.isEmpty() ? "no limit changed"
                : "changed limits: " + diff.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ")), diff);
        changed.fire(new DesiredStateChanged(t.slug));
        io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush(); // the response shows the new version
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
        return members.list(tenantId);
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

    private static Plan planNamed(Validator v, String name) {
        Plan p = name == null ? null : Plan.findByName(name);
        v.check(p != null, "plan", "must be the name of a plan (" + Plan.listAllByCpu().stream().map(x -> x.name)
                .collect(Collectors.joining(", ")) + ")");
        return p;
    }

    /** The plan and the effective limits, as the audit log records them. */
    private static Map<String, Object> describe(Plan plan, QuotaOverrides overrides) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("plan", plan.name);
        m.putAll(plan.limits().with(overrides).asMap());
        return m;
    }

    /**
     * A tenant's overrides from a request: {@code overrides} (which replaces all of them when present) and the
     * first API's fields {@code cpu}, {@code memory} (each sets both the request and the limit cap), {@code pods}
     * and {@code apps}, which are overrides too.
     */
    static final class Overrides {
        private Overrides() {
        }

        static QuotaOverrides validate(Validator v, LimitsRequest req, QuotaOverrides base, String cpu, String memory,
                Integer pods, Integer apps) {
            QuotaOverrides o = req == null ? base : req.toOverrides(v, "overrides.");
            Integer cpuMillis = null;
            Long memoryBytes = null;
            if (cpu != null) {
                cpuMillis = Quantities.parseCpuMillis(cpu);
                v.check(cpuMillis > 0, "cpu", "must be a CPU quantity such as 2 or 500m (at most 1000 cores)");
            }
            if (memory != null) {
                memoryBytes = Quantities.parseMemoryBytes(memory);
                v.check(memoryBytes > 0, "memory", "must be a memory quantity such as 512Mi or 8Gi");
            }
            v.check(pods == null || (pods >= 1 && pods <= 10_000), "pods", "must be between 1 and 10000");
            v.check(apps == null || (apps >= 1 && apps <= 1_000), "apps", "must be between 1 and 1000");
            return new QuotaOverrides(cpuMillis != null ? cpuMillis : o.cpuRequestMillis(),
                    cpuMillis != null ? cpuMillis : o.cpuLimitMillis(),
                    memoryBytes != null ? memoryBytes : o.memoryRequestBytes(),
                    memoryBytes != null ? memoryBytes : o.memoryLimitBytes(), pods != null ? pods : o.pods(),
                    apps != null ? apps : o.apps(), o.replicasPerApp(), o.concurrentBuilds(), o.buildMinutesPerMonth(),
                    o.regions(), o.customDomains(), o.buildTimeoutSeconds());
        }
    }
}
