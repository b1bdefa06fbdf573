package dev.berth.quotas;

import dev.berth.api.ApiException;
import dev.berth.api.Validator;
import dev.berth.audit.AuditLog;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.kube.Names;
import dev.berth.tenancy.QuotaLimits;
import dev.berth.tenancy.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Owns plans (platform admins' business). A change to a plan's limits applies to every tenant on it at once: it
 * is recorded, and every such tenant is handed to the reconcilers, which rewrite its ResourceQuota and LimitRange
 * in every region. Lowering a plan below what tenants use is allowed; {@link QuotaService} then refuses growth.
 */
@ApplicationScoped
public class PlanService {
    static final int DEFAULT_BUILD_TIMEOUT_SECONDS = 30 * 60;
    @Inject
    dev.berth.api.Preconditions preconditions;
    @Inject
    EntityManager em;
    @Inject
    AuditLog audit;
    @Inject
    QuotasConfig config;
    @Inject
    Event<DesiredStateChanged> changed;

    /** Every plan; the number of tenants on each only when {@code withCounts} (platform admins). */
    @Transactional
    public List<PlanView> list(boolean withCounts) {
        Map<Long, Long> counts = withCounts ? tenantCounts() : Map.of();
        return Plan.listAllByCpu().stream().map(p -> PlanView.of(p, withCounts ? counts.getOrDefault(p.id, 0L) : null))
                .toList();
    }

    @Transactional
    public PlanView get(String name, boolean withCounts) {
        Plan p = require(name);
        return PlanView.of(p, withCounts ? Tenant.count("planId", p.id) : null);
    }

    @Transactional
    public PlanView create(PlanRequest req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        Validator v = new Validator();
        v.rule("name", Names.checkAppName(req.name()));
        v.check(req.displayName() == null || req.displayName().length() <= 100, "displayName",
                "must be at most 100 characters long");
        LimitsRequest l = req.limits();
        requireAll(v, l);
        // Every limit is required except the build timeout, added later: without it a plan gets 30 minutes.
        QuotaLimits limits = l.applyTo(v, "", new QuotaLimits(1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0,
                DEFAULT_BUILD_TIMEOUT_SECONDS));
        v.throwIfInvalid();
        if (Plan.findByName(req.name()) != null) {
            throw ApiException.conflict("name", "a plan named '" + req.name() + "' already exists");
        }
        Plan p = new Plan();
        p.name = req.name();
        p.displayName = req.displayName() == null || req.displayName().isBlank() ? req.name() : req.displayName().trim();
        p.apply(limits);
        p.persist();
        audit.record(null, null, null, "plan.create", "created plan " + p.name + " " + limits.asMap(), limits.asMap());
        return PlanView.of(p, 0L);
    }

    /**
     * Changes a plan's display name or limits; every tenant on the plan follows in every region. The plan row is
     * locked so two admins' changes apply one after the other.
     */
    @Transactional
    public PlanView update(String name, PlanRequest req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        Plan p = require(name);
        // Read again under the lock: locking the copy read before another admin's change committed failed on its
        // version instead of applying this change after that one.
        em.refresh(p, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        preconditions.check("plan " + p.name, p.version);
        Validator v = new Validator();
        v.check(req.name() == null || req.name().equals(name), "name", "cannot change; create a new plan instead");
        v.check(req.displayName() == null || req.displayName().length() <= 100, "displayName",
                "must be at most 100 characters long");
        QuotaLimits before = p.limits();
        QuotaLimits after = req.limits().applyTo(v, "", before);
        v.throwIfInvalid();
        p.apply(after);
        if (req.displayName() != null && !req.displayName().isBlank()) {
            p.displayName = req.displayName().trim();
        }
        p.updatedAt = Instant.now();
        Map<String, Object> diff = diff(before.asMap(), after.asMap());
        List<String> slugs = em.createQuery("select t.slug from Tenant t where t.planId = :p order by t.slug",
                String.class).setParameter("p", p.id).getResultList();
        audit.record(null, null, null, "plan.update", "changed plan " + p.name + (diff.isEmpty() ? "" : ": "
                + diff.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")))
                + " (" + slugs.size() + " tenant(s))", diff);
        if (!diff.isEmpty()) {
            slugs.forEach(s -> changed.fire(new DesiredStateChanged(s)));
        }
        em.flush(); // the response shows the new version
        return PlanView.of(p, (long) slugs.size());
    }

    /** Deletes a plan no tenant is on; the default plan for new tenants cannot be deleted. */
    @Transactional
    public void delete(String name) {
        Plan p = require(name);
        long tenants = Tenant.count("planId", p.id);
        if (tenants > 0) {
            throw ApiException.conflict("name", tenants + " tenant(s) are on plan '" + name
                    + "'; move them to another plan first");
        }
        if (name.equals(config.defaultPlan())) {
            throw ApiException.conflict("name", "'" + name + "' is the plan new tenants get (berth.quotas.default-plan)");
        }
        p.delete();
        audit.record(null, null, null, "plan.delete", "deleted plan " + name, null);
    }

    private static Plan require(String name) {
        Plan p = Plan.findByName(name);
        if (p == null) {
            throw ApiException.notFound("plan", name);
        }
        return p;
    }

    private static void requireAll(Validator v, LimitsRequest l) {
        v.check(l.cpuRequest() != null, "cpuRequest", "is required");
        v.check(l.cpuLimit() != null, "cpuLimit", "is required");
        v.check(l.memoryRequest() != null, "memoryRequest", "is required");
        v.check(l.memoryLimit() != null, "memoryLimit", "is required");
        v.check(l.pods() != null, "pods", "is required");
        v.check(l.apps() != null, "apps", "is required");
        v.check(l.replicasPerApp() != null, "replicasPerApp", "is required");
        v.check(l.concurrentBuilds() != null, "concurrentBuilds", "is required");
        v.check(l.buildMinutesPerMonth() != null, "buildMinutesPerMonth", "is required");
        v.check(l.regions() != null, "regions", "is required");
        v.check(l.customDomains() != null, "customDomains", "is required");
    }

    /** A tenant on a plan as the plans page lists it, with the limits it overrides (empty: exactly the plan). */
    public record PlanTenant(String slug, String displayName, Map<String, Object> overrides) {
    }

    /**
     * For the plans page: the first {@code perPlan} tenants of each plan by slug, keyed by plan name. One window
     * query picks them, so the page costs the same at 10,000 tenants as at ten.
     */
    @Transactional
    public Map<String, List<PlanTenant>> tenantsByPlan(int perPlan) {
        Map<Long, String> names = new HashMap<>();
        em.createQuery("select p.id, p.name from Plan p", Object[].class).getResultList()
                .forEach(r -> names.put((Long) r[0], (String) r[1]));
        @SuppressWarnings("unchecked")
        List<Number> ids = em.createNativeQuery("select id from (select t.id, row_number() over (partition by t.plan_id "
                + "order by t.slug) as n from tenant t) ranked where n <= ?1").setParameter(1, perPlan).getResultList();
        Map<String, List<PlanTenant>> result = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return result;
        }
        List<Tenant> tenants = em.createQuery("select t from Tenant t where t.id in :ids order by t.slug", Tenant.class)
                .setParameter("ids", ids.stream().map(Number::longValue).toList()).getResultList();
        for (Tenant t : tenants) {
            result.computeIfAbsent(names.get(t.planId), k -> new java.util.ArrayList<>())
                    .add(new PlanTenant(t.slug, t.displayName, t.overrides().asMap()));
        }
        return result;
    }

    private Map<Long, Long> tenantCounts() {
        Map<Long, Long> counts = new HashMap<>();
        em.createQuery("select t.planId, count(t) from Tenant t group by t.planId", Object[].class).getResultList()
                .forEach(r -> counts.put((Long) r[0], (Long) r[1]));
        return counts;
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
}
