package dev.berth.apps;

import dev.berth.api.ApiException;
import dev.berth.api.Page;
import dev.berth.api.Validator;
import dev.berth.audit.AuditEvent;
import dev.berth.audit.AuditLog;
import dev.berth.audit.AuditView;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.kube.Names;
import dev.berth.kube.Quantities;
import dev.berth.regions.Region;
import dev.berth.secrets.SecretBox;
import dev.berth.quotas.AppFootprint;
import dev.berth.quotas.QuotaService;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Owns apps: validates each change, checks it against the tenant's limits ({@link QuotaService}, under a lock on
 * the tenant row) and records it with its diff in one
 * transaction; the reconcilers then roll it out in every region of the tenant. Secret values are sealed on the
 * way in and never returned.
 */
@ApplicationScoped
public class AppService {
    static final int DEFAULT_PORT = 8080;
    static final String DEFAULT_CPU_REQUEST = "100m";
    static final String DEFAULT_CPU_LIMIT = "500m";
    static final String DEFAULT_MEMORY_REQUEST = "128Mi";
    static final String DEFAULT_MEMORY_LIMIT = "256Mi";

    @Inject
    dev.berth.api.Preconditions preconditions;
    @Inject
    AuditLog audit;
    @Inject
    SecretBox secrets;
    @Inject
    AppStatusReader statusReader;
    @Inject
    Event<DesiredStateChanged> changed;
    @Inject
    QuotaService quota;
    @Inject
    Event<AppConfigChanged> configChanged;

    /** One page of the tenant's apps, by name, with each app's state per region from the watch caches. */
    @Transactional
    public Page<AppSummary> list(long tenantId, String tenant, int page, int size) {
        return list(tenantId, tenant, page, size, null);
    }

    /**
     * One page of the tenant's apps by name: the {@code page}-th, or with {@code after} (a name, the {@code next}
     * cursor of the page before) the apps that follow it, read by keyset at the same cost at any depth. Three
     * statements whatever the page size: the rows (a projection; the {@code page}-th page counts the tenant's apps in
     * the same statement, a cursor page in one more), the tenant's regions and the placements of the page's apps (by
     * the page's range of names); each app's state comes from the watch caches' indexes.
     */
    @Transactional
    public Page<AppSummary> list(long tenantId, String tenant, int page, int size, String after) {
        return list(tenantId, tenant, null, after == null ? -1 : count(tenantId), page, size, after);
    }

    /**
     * One page of the tenant's apps (the {@code page}-th) for a caller that has already read the tenant's regions
     * (by name, as {@link #regionsOf} orders them) and counted its apps ({@code total}): two statements, the rows
     * and their placements.
     */
    @Transactional
    public Page<AppSummary> list(long tenantId, String tenant, List<Region> tenantRegions, long total, int page,
            int size) {
        return list(tenantId, tenant, tenantRegions, total, page, size, null);
    }

    /** The rows of a page; a negative {@code total} is counted by the rows' statement (a window over the tenant). */
    private Page<AppSummary> list(long tenantId, String tenant, List<Region> tenantRegions, long total, int page,
            int size, String after) {
        // Plain JPQL with single-valued parameters throughout: Hibernate caches the translation of such queries,
        // while Panache's count() and "in :list" parameters are translated to SQL anew on every call (ADR 0019).
        boolean counted = total < 0;
        jakarta.persistence.TypedQuery<Object[]> query = Panache.getEntityManager().createQuery(
                        "select a.name, a.image, a.replicas, a.customDomain, a.updatedAt"
                                + (counted ? ", count(*) over ()" : "") + " from App a where a.tenantId = :t"
                                + (after == null ? "" : " and a.name > :after") + " order by a.name", Object[].class)
                .setParameter("t", tenantId);
        if (after != null) {
            query.setParameter("after", after);
        }
        int first = after != null ? 0 : (int) Math.min(Integer.MAX_VALUE, (long) page * size);
        List<Object[]> found = query.setFirstResult(first).setMaxResults(size + 1).getResultList();
        List<AppRow> read = found.stream().map(r -> new AppRow((String) r[0], (String) r[1], (Integer) r[2],
                (String) r[3], (Instant) r[4])).toList();
        if (counted) {
            // A page past the end has no row to carry the count.
            total = found.isEmpty() ? count(tenantId) : ((Number) found.get(0)[5]).longValue();
        }
        String next = Page.nextCursor(read, size, AppRow::name);
        List<AppRow> rows = read.size() > size ? read.subList(0, size) : read;
        List<Region> regions = rows.isEmpty() ? List.of()
                : tenantRegions != null ? tenantRegions : regionsOf(tenantId);
        List<Map<String, AppHealth.Health>> states = regions.stream()
                .map(r -> statusReader.glance(tenant, rows, r.info(), r.unreachableSince)).toList();
        Map<String, Set<Long>> placed = rows.isEmpty() ? Map.of()
                : placedRegionsBetween(tenantId, rows.get(0).name(), rows.get(rows.size() - 1).name());
        List<AppSummary> items = new ArrayList<>(rows.size());
        for (AppRow a : rows) {
            List<AppSummary.RegionState> status = new ArrayList<>(regions.size());
            List<String> urls = new ArrayList<>(regions.size());
            Set<Long> where = placed.getOrDefault(a.name(), Set.of());
            for (int i = 0; i < regions.size(); i++) {
                Region r = regions.get(i);
                if (!where.contains(r.id)) {
                    continue;
                }
                String url = url(a.name(), a.customDomain(), tenant, r);
                AppHealth.Health h = states.get(i).get(a.name());
                status.add(new AppSummary.RegionState(r.name, r.simulated, h.state(), url, r.unreachableSince,
                        h.reason(), h.message(), h.restarts()));
                if (!urls.contains(url)) {
                    urls.add(url);
                }
            }
            items.add(new AppSummary(a.name(), a.image(), a.replicas(), a.customDomain(), urls, status,
                    a.updatedAt()));
        }
        return new Page<>(items, total, after != null ? 0 : page, size, next);
    }

    @Transactional
    public AppView get(long tenantId, String tenant, String name) {
        App a = require(tenantId, name);
        Set<Long> where = placedRegions(tenantId, List.of(a.name)).getOrDefault(a.name, Set.of());
        List<Region> regions = regionsOf(tenantId).stream().filter(r -> where.contains(r.id)).toList();
        List<AppStatus> status = regions.stream()
                .map(r -> statusReader.read(tenant, a, r.info(), r.unreachableSince)).toList();
        return AppView.of(a, urls(a, tenant, regions), status);
    }

    @Transactional
    public List<AuditView> history(long tenantId, String name, int limit) {
        require(tenantId, name);
        return AuditEvent.recentForApp(tenantId, name, limit).stream().map(AuditView::of).toList();
    }

    @Transactional
    public AppView create(long tenantId, String tenant, AppRequests.Create req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        Validator v = new Validator();
        v.rule("name", Names.checkAppName(req.name()));
        v.rule("image", AppRules.image(req.image()));
        int port = req.port() == null ? DEFAULT_PORT : req.port();
        int replicas = req.replicas() == null ? 1 : req.replicas();
        v.rule("port", AppRules.port(port));
        v.rule("replicas", AppRules.replicas(replicas));
        int[] cpu = AppRules.cpu(v, req.resources(), Quantities.parseCpuMillis(DEFAULT_CPU_REQUEST),
                Quantities.parseCpuMillis(DEFAULT_CPU_LIMIT));
        long[] mem = AppRules.memory(v, req.resources(), Quantities.parseMemoryBytes(DEFAULT_MEMORY_REQUEST),
                Quantities.parseMemoryBytes(DEFAULT_MEMORY_LIMIT));
        String health = blankToNull(req.healthPath());
        String domain = blankToNull(req.customDomain());
        v.rule("healthPath", AppRules.healthPath(health));
        v.rule("customDomain", AppRules.customDomain(domain, baseDomains()));
        AppRules.env(v, "env", req.env());
        AppRules.env(v, "secretEnv", req.secretEnv());
        overlap(v, req.env(), req.secretEnv() == null ? List.of() : req.secretEnv().keySet());
        v.throwIfInvalid();

        quota.lock(tenantId);
        if (App.findByName(tenantId, req.name()) != null) {
            throw ApiException.conflict("name", "an app named '" + req.name() + "' already exists in " + tenant);
        }
        requireFreeDomain(domain, null);
        App a = new App();
        a.tenantId = tenantId;
        a.name = req.name();
        a.image = req.image();
        a.port = port;
        a.replicas = replicas;
        a.cpuRequestMillis = cpu[0];
        a.cpuLimitMillis = cpu[1];
        a.memoryRequestBytes = mem[0];
        a.memoryLimitBytes = mem[1];
        a.healthPath = health;
        a.customDomain = domain;
        a.env = req.env() == null ? new TreeMap<>() : new TreeMap<>(req.env());
        a.secretEnv = new TreeMap<>();
        if (req.secretEnv() != null) {
            req.secretEnv().forEach((k, val) -> a.secretEnv.put(k, secrets.encrypt(val)));
        }
        quota.checkAppCreate(tenantId, a.footprint());
        a.persist();
        configChanged.fire(new AppConfigChanged(a, tenantId, tenant, true));
        audit.record(tenantId, tenant, a.name, "app.create", "created app " + a.name + " from " + a.image
                + ", " + replicas + " replica(s)", snapshot(a));
        changed.fire(new DesiredStateChanged(tenant));
        return get(tenantId, tenant, a.name);
    }

    @Transactional
    public AppView update(long tenantId, String tenant, String name, AppRequests.Update req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        quota.lock(tenantId);
        App a = require(tenantId, name);
        preconditions.check("app " + a.name, a.version);
        Map<String, Object> before = snapshot(a);
        AppFootprint footprintBefore = a.footprint();
        Validator v = new Validator();
        if (req.image() != null) {
            v.rule("image", AppRules.image(req.image()));
        }
        if (req.port() != null) {
            v.rule("port", AppRules.port(req.port()));
        }
        if (req.replicas() != null) {
            v.rule("replicas", AppRules.replicas(req.replicas()));
        }
        int[] cpu = AppRules.cpu(v, req.resources(), a.cpuRequestMillis, a.cpuLimitMillis);
        long[] mem = AppRules.memory(v, req.resources(), a.memoryRequestBytes, a.memoryLimitBytes);
        if (req.healthPath() != null) {
            v.rule("healthPath", AppRules.healthPath(blankToNull(req.healthPath())));
        }
        if (req.customDomain() != null) {
            v.rule("customDomain", AppRules.customDomain(blankToNull(req.customDomain()), baseDomains()));
        }
        AppRules.env(v, "env", req.env());
        AppRules.env(v, "secretEnv", req.secretEnv());
        Map<String, String> env = req.env() == null ? a.env : req.env();
        List<String> remove = req.removeSecretEnv() == null ? List.of() : req.removeSecretEnv();
        List<String> secretNames = new ArrayList<>(a.secretEnv.keySet());
        secretNames.removeAll(remove);
        if (req.secretEnv() != null) {
            secretNames.addAll(req.secretEnv().keySet());
        }
        overlap(v, env, secretNames);
        for (int i = 0; i < remove.size(); i++) {
            v.check(a.secretEnv.containsKey(remove.get(i)), "removeSecretEnv[" + i + "]",
                    "no secret named '" + remove.get(i) + "'");
        }
        v.throwIfInvalid();

        if (req.image() != null) {
            a.image = req.image();
        }
        if (req.port() != null) {
            a.port = req.port();
        }
        if (req.replicas() != null) {
            a.replicas = req.replicas();
        }
        a.cpuRequestMillis = cpu[0];
        a.cpuLimitMillis = cpu[1];
        a.memoryRequestBytes = mem[0];
        a.memoryLimitBytes = mem[1];
        if (req.healthPath() != null) {
            a.healthPath = blankToNull(req.healthPath());
        }
        if (req.customDomain() != null) {
            // Checked before the entity changes: the query would otherwise flush the change first and fail on the
            // unique constraint (a 500) instead of answering 409.
            requireFreeDomain(blankToNull(req.customDomain()), a.id);
            a.customDomain = blankToNull(req.customDomain());
        }
        a.env = new TreeMap<>(env);
        TreeMap<String, String> sealed = new TreeMap<>(a.secretEnv);
        remove.forEach(sealed::remove);
        List<String> secretsSet = new ArrayList<>();
        if (req.secretEnv() != null) {
            req.secretEnv().forEach((k, val) -> {
                sealed.put(k, secrets.encrypt(val));
                secretsSet.add(k);
            });
        }
        a.secretEnv = sealed;
        quota.checkAppChange(tenantId, a.id, footprintBefore, a.footprint());
        Map<String, Object> diff = diff(before, snapshot(a));
        secretsSet.forEach(k -> diff.put("secretEnv." + k, "set"));
        remove.forEach(k -> diff.put("secretEnv." + k, "removed"));
        if (!diff.isEmpty()) {
            a.updatedAt = Instant.now();
            configChanged.fire(new AppConfigChanged(a, tenantId, tenant, false));
            audit.record(tenantId, tenant, a.name, "app.update", "changed " + String.join(", ", diff.keySet()), diff);
            changed.fire(new DesiredStateChanged(tenant));
        }
        io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush(); // the response shows the new version
        return get(tenantId, tenant, a.name);
    }

    @Transactional
    public void delete(long tenantId, String tenant, String name) {
        App a = require(tenantId, name);
        a.delete();
        audit.record(tenantId, tenant, name, "app.delete", "deleted app " + name, null);
        changed.fire(new DesiredStateChanged(tenant));
    }

    /** Unseals secret values for the reconciler; nothing else may call this. */
    public TreeMap<String, String> unsealedSecrets(App a) {
        TreeMap<String, String> plain = new TreeMap<>();
        a.secretEnv.forEach((k, v) -> plain.put(k, secrets.decrypt(v)));
        return plain;
    }

    private static App require(long tenantId, String name) {
        return App.require(tenantId, name);
    }

    private static void overlap(Validator v, Map<String, String> env, java.util.Collection<String> secretNames) {
        if (env == null) {
            return;
        }
        for (String s : secretNames) {
            if (env.containsKey(s)) {
                v.add("secretEnv." + s, "is also a plain variable; a name can be plain or secret, not both");
            }
        }
    }

    private static void requireFreeDomain(String domain, Long ownAppId) {
        if (domain == null) {
            return;
        }
        App other = App.find("customDomain", domain).firstResult();
        if (other != null && !other.id.equals(ownAppId)) {
            throw ApiException.conflict("customDomain", "'" + domain + "' is already used by another app");
        }
    }

    private static List<String> baseDomains() {
        return Region.listAllByName().stream().map(r -> r.baseDomain).toList();
    }

    /** The names of the regions the app runs in (its primary and replicas), for its logs; 404 for an unknown app. */
    @Transactional
    public List<String> regionNames(long tenantId, String name) {
        App a = require(tenantId, name);
        Set<Long> where = placedRegions(tenantId, List.of(a.name)).getOrDefault(a.name, Set.of());
        return regionsOf(tenantId).stream().filter(r -> where.contains(r.id)).map(r -> r.name).toList();
    }

    @SuppressWarnings("unchecked")
    /** The regions each of these apps is placed in (its primary and replicas), by app name. */
    private static Map<String, Set<Long>> placedRegions(long tenantId, List<String> apps) {
        Map<String, Set<Long>> result = new HashMap<>();
        if (apps.isEmpty()) {
            return result;
        }
        List<Object[]> rows = Panache.getEntityManager().createQuery("select a.name, ar.regionId from AppRegion ar, "
                + "App a where a.id = ar.appId and a.tenantId = :t and a.name in :names", Object[].class)
                .setParameter("t", tenantId).setParameter("names", apps).getResultList();
        for (Object[] r : rows) {
            result.computeIfAbsent((String) r[0], k -> new HashSet<>()).add((Long) r[1]);
        }
        return result;
    }

    /** The regions of the tenant's apps named from {@code first} to {@code last} (a page of the list), by name. */
    private static Map<String, Set<Long>> placedRegionsBetween(long tenantId, String first, String last) {
        Map<String, Set<Long>> result = new HashMap<>();
        Panache.getEntityManager().createQuery("select a.name, ar.regionId from AppRegion ar, App a where a.id = "
                        + "ar.appId and a.tenantId = :t and a.name >= :first and a.name <= :last", Object[].class)
                .setParameter("t", tenantId).setParameter("first", first).setParameter("last", last)
                .getResultList()
                .forEach(r -> result.computeIfAbsent((String) r[0], k -> new HashSet<>()).add((Long) r[1]));
        return result;
    }

    private static long count(long tenantId) {
        return Panache.getEntityManager().createQuery("select count(a) from App a where a.tenantId = :t", Long.class)
                .setParameter("t", tenantId).getSingleResult();
    }

    /** The regions the tenant may use, by name. */
    public static List<Region> regionsOf(long tenantId) {
        return Panache.getEntityManager().createQuery(
                "select r from Region r where r.id in (select tr.regionId from TenantRegion tr where tr.tenantId = :t) "
                        + "order by r.name", Region.class).setParameter("t", tenantId).getResultList();
    }

    private static String url(App a, String tenant, Region r) {
        return url(a.name, a.customDomain, tenant, r);
    }

    private static String url(String app, String customDomain, String tenant, Region r) {
        return "http://" + AppManifests.host(app, tenant, customDomain, r.baseDomain) + "/";
    }

    private static List<String> urls(App a, String tenant, List<Region> regions) {
        return regions.stream().map(r -> url(a, tenant, r)).distinct().toList();
    }

    private static Map<String, Object> snapshot(App a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image", a.image);
        m.put("port", a.port);
        m.put("replicas", a.replicas);
        m.put("cpuRequest", Quantities.cpu(a.cpuRequestMillis));
        m.put("cpuLimit", Quantities.cpu(a.cpuLimitMillis));
        m.put("memoryRequest", Quantities.memory(a.memoryRequestBytes));
        m.put("memoryLimit", Quantities.memory(a.memoryLimitBytes));
        m.put("healthPath", a.healthPath);
        m.put("customDomain", a.customDomain);
        a.env.forEach((k, v) -> m.put("env." + k, v));
        m.put("secretEnv", String.join(",", a.secretEnv.keySet()));
        return m;
    }

    private static Map<String, Object> diff(Map<String, Object> before, Map<String, Object> after) {
        Map<String, Object> d = new LinkedHashMap<>();
        for (String k : after.keySet()) {
            if (!Objects.equals(before.get(k), after.get(k)) && !k.equals("secretEnv")) {
                d.put(k, before.get(k) + " -> " + after.get(k));
            }
        }
        before.keySet().stream().filter(k -> !after.containsKey(k))
                .forEach(k -> d.put(k, before.get(k) + " -> (removed)"));
        return d;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
