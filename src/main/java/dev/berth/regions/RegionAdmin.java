package dev.berth.regions;

import dev.berth.api.ApiException;
import dev.berth.api.Validator;
import dev.berth.audit.AuditLog;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.kube.Names;
import dev.berth.quotas.QuotaService;
import dev.berth.secrets.SecretBox;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Platform admins' changes to regions: register (the connection is checked before anything is stored, and the
 * kubeconfig is sealed with {@link SecretBox}), change, grant tenants, and delete (refused while apps run there).
 * Each change is one transaction with its audit record; the region is (re)connected after the commit through
 * {@link RegionChanged}.
 */
@ApplicationScoped
public class RegionAdmin {
    @Inject
    RegionsConfig config;
    @Inject
    SecretBox secrets;
    @Inject
    AuditLog audit;
    @Inject
    QuotaService quota;
    @Inject
    RegionUse use;
    @Inject
    TenantRegionGrants placements;
    @Inject
    Event<RegionChanged> regionChanged;
    @Inject
    Event<DesiredStateChanged> changed;

    @Transactional
    public Region create(RegionRequest req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        Validator v = new Validator();
        v.rule("name", checkName(req.name()));
        validate(v, req, true);
        v.throwIfInvalid();
        if (Region.findByName(req.name()) != null) {
            throw ApiException.conflict("name", "a region named '" + req.name() + "' already exists");
        }
        List<Tenant> tenants = req.tenants() == null ? List.of() : tenants(req.tenants());
        ConnectionCheck.Result ok = ConnectionCheck.check(req.kubeconfig(), req.context(), config.connectTimeout(),
                config.requestTimeout());
        Region r = new Region();
        r.name = req.name();
        r.connectionKind = Region.ConnectionKind.STORED;
        r.openToNewTenants = false;
        apply(r, req);
        seal(r, req.kubeconfig(), ok);
        r.persist();
        grant(r, tenants);
        audit.record(null, null, null, "region.create", "registered region " + r.name + " (" + r.displayName + ", "
                + r.baseDomain + ", Kubernetes " + ok.version() + ")", describe(r));
        regionChanged.fire(new RegionChanged(r.name, false));
        return r;
    }

    @Transactional
    public Region update(String name, RegionRequest req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        Region r = require(name);
        Validator v = new Validator();
        v.check(req.name() == null || req.name().equals(name), "name", "cannot be changed; register a new region");
        v.check(req.kubeconfig() != null || req.context() == null || r.connectionKind == Region.ConnectionKind.STORED,
                "context", "can only be changed together with a kubeconfig for this region");
        validate(v, req, false);
        v.throwIfInvalid();
        List<Tenant> tenants = req.tenants() == null ? null : tenants(req.tenants());
        Map<String, Object> before = describe(r);
        if (req.kubeconfig() != null || (req.context() != null && r.kubeconfigSealed != null)) {
            String kubeconfig = req.kubeconfig() != null ? req.kubeconfig() : secrets.decrypt(r.kubeconfigSealed);
            String context = req.context() != null ? req.context() : r.kubeContext;
            ConnectionCheck.Result ok = ConnectionCheck.check(kubeconfig, context, config.connectTimeout(),
                    config.requestTimeout());
            r.connectionKind = Region.ConnectionKind.STORED;
            r.kubeconfigPath = null;
            r.simulated = false;
            seal(r, kubeconfig, ok);
        }
        apply(r, req);
        if (tenants != null) {
            grant(r, tenants);
        }
        r.updatedAt = Instant.now();
        Map<String, Object> diff = diff(before, describe(r));
        if (req.kubeconfig() != null) {
            diff.put("kubeconfig", "replaced");
        }
        audit.record(null, null, null, "region.update", diff.isEmpty() ? "no change to region " + name
                : "changed region " + name + ": " + String.join(", ", diff.keySet()), diff);
        regionChanged.fire(new RegionChanged(r.name, false));
        return r;
    }

    /** Deletes a region no app uses; its tenants' namespaces there are left to the cluster's administrators. */
    @Transactional
    public void delete(String name) {
        Region r = require(name);
        List<String> apps = use.appsIn(r.id, null);
        if (!apps.isEmpty()) {
            throw ApiException.conflict("region", "region " + name + " is used by " + apps.size() + " app(s): "
                    + String.join(", ", apps.subList(0, Math.min(20, apps.size())))
                    + (apps.size() > 20 ? ", ..." : "") + "; remove it from their placement first");
        }
        List<String> slugs = grantedSlugs(r.id);
        TenantRegion.delete("regionId", r.id);
        r.delete();
        audit.record(null, null, null, "region.delete", "deleted region " + name, null);
        slugs.forEach(s -> changed.fire(new DesiredStateChanged(s)));
        regionChanged.fire(new RegionChanged(name, true));
    }

    static Region require(String name) {
        Region r = name == null ? null : Region.findByName(name);
        if (r == null) {
            throw ApiException.notFound("region", name);
        }
        return r;
    }

    /** Tenant slugs that may use the region, by name. */
    public static List<String> grantedSlugs(long regionId) {
        return Panache.getEntityManager().createQuery("select t.slug from Tenant t where t.id in "
                + "(select tr.tenantId from TenantRegion tr where tr.regionId = :r) order by t.slug", String.class)
                .setParameter("r", regionId).getResultList();
    }

    private static String checkName(String name) {
        if (name == null || name.isBlank()) {
            return "is required";
        }
        if (name.length() > 40 || !Names.isDnsLabel(name)) {
            return "must be a DNS label of at most 40 characters: lower-case letters, digits and '-' (e.g. eu-west)";
        }
        return null;
    }

    private static void validate(Validator v, RegionRequest req, boolean create) {
        if (create || req.displayName() != null) {
            v.check(req.displayName() == null || req.displayName().length() <= 100, "displayName",
                    "must be at most 100 characters long");
        }
        v.check(req.city() == null || req.city().length() <= 100, "city", "must be at most 100 characters long");
        v.check(req.latitude() == null || (req.latitude() >= -90 && req.latitude() <= 90), "latitude",
                "must be between -90 and 90");
        v.check(req.longitude() == null || (req.longitude() >= -180 && req.longitude() <= 180), "longitude",
                "must be between -180 and 180");
        v.check((req.latitude() == null) == (req.longitude() == null), req.latitude() == null ? "latitude" : "longitude",
                "give both latitude and longitude, or neither");
        if (create || req.baseDomain() != null) {
            v.rule("baseDomain", Names.checkHostname(req.baseDomain()));
        }
        if (req.ingressClass() != null) {
            v.check(Names.isDnsLabel(req.ingressClass()), "ingressClass", "must be a DNS label such as nginx");
        }
        if (req.ingressNamespace() != null) {
            v.check(Names.isDnsLabel(req.ingressNamespace()), "ingressNamespace",
                    "must be a namespace name such as ingress-nginx");
        }
        v.check(req.context() == null || req.context().length() <= 200, "context", "must be at most 200 characters");
        if (req.tlsIssuer() != null && !req.tlsIssuer().isEmpty()) {
            v.check(Names.isDnsLabel(req.tlsIssuer()) || Names.checkHostname(req.tlsIssuer()) == null, "tlsIssuer",
                    "must be the name of a cert-manager ClusterIssuer (lower-case DNS name such as letsencrypt-prod), "
                            + "or empty for none");
        }
        if (req.tenants() != null) {
            for (int i = 0; i < req.tenants().size(); i++) {
                v.check(req.tenants().get(i) != null, "tenants[" + i + "]", "must be a tenant name");
            }
        }
    }

    private static void apply(Region r, RegionRequest req) {
        if (req.displayName() != null && !req.displayName().isBlank()) {
            r.displayName = req.displayName().trim();
        } else if (r.displayName == null) {
            r.displayName = r.name;
        }
        if (req.city() != null) {
            r.city = req.city().isBlank() ? null : req.city().trim();
        }
        if (req.latitude() != null) {
            r.latitude = req.latitude();
            r.longitude = req.longitude();
        }
        if (req.baseDomain() != null) {
            r.baseDomain = req.baseDomain();
        }
        r.ingressClass = req.ingressClass() != null ? req.ingressClass() : r.ingressClass == null ? "nginx" : r.ingressClass;
        r.ingressNamespace = req.ingressNamespace() != null ? req.ingressNamespace()
                : r.ingressNamespace == null ? "ingress-nginx" : r.ingressNamespace;
        if (req.openToNewTenants() != null) {
            r.openToNewTenants = req.openToNewTenants();
        }
        if (req.publishesDns() != null) {
            r.publishesDns = req.publishesDns();
        }
        if (req.tlsIssuer() != null) {
            r.tlsIssuer = req.tlsIssuer().isEmpty() ? null : req.tlsIssuer();
        }
    }

    /** Stores the kubeconfig sealed, with the health the check just saw. */
    private void seal(Region r, String kubeconfig, ConnectionCheck.Result ok) {
        r.kubeconfigSealed = secrets.encrypt(kubeconfig);
        r.kubeContext = ok.context();
        r.moveHealth(RegionHealth.REACHABLE, Instant.now());
        r.lastOkAt = Instant.now();
        r.kubernetesVersion = ok.version();
        r.latencyMs = ok.latencyMs();
        r.lastError = null;
    }

    private static List<Tenant> tenants(List<String> slugs) {
        Validator v = new Validator();
        List<Tenant> found = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < slugs.size(); i++) {
            String slug = slugs.get(i) == null ? null : slugs.get(i).trim();
            Tenant t = slug == null ? null : Tenant.findBySlug(slug);
            v.check(t != null, "tenants[" + i + "]", "no tenant named '" + slug + "'");
            if (t != null && seen.add(slug)) {
                found.add(t);
            }
        }
        v.throwIfInvalid();
        return found;
    }

    /**
     * Makes exactly {@code tenants} use the region. A tenant may leave it only when none of its apps runs there;
     * joining counts against the tenant's plan limit of regions ({@link QuotaService#checkRegions}).
     */
    private void grant(Region r, List<Tenant> tenants) {
        List<String> current = grantedSlugs(r.id);
        Set<String> next = new LinkedHashSet<>();
        tenants.forEach(t -> next.add(t.slug));
        for (String slug : current) {
            if (!next.contains(slug)) {
                Tenant t = Tenant.findBySlug(slug);
                List<String> apps = use.appsIn(r.id, t.id);
                if (!apps.isEmpty()) {
                    throw ApiException.conflict("tenants", "tenant " + slug + " cannot leave region " + r.name
                            + ": its app(s) " + String.join(", ", apps) + " run there");
                }
                TenantRegion.delete("tenantId = ?1 and regionId = ?2", t.id, r.id);
                changed.fire(new DesiredStateChanged(slug));
            }
        }
        for (Tenant t : tenants) {
            if (!current.contains(t.slug)) {
                List<String> before = use.regionsOf(t.id);
                List<String> after = new ArrayList<>(before);
                after.add(r.name);
                quota.checkRegions(t.id, before, after);
                TenantRegion.of(t.id, r.id).persist();
                placements.tenantGranted(t.id, r);
                changed.fire(new DesiredStateChanged(t.slug));
            }
        }
    }

    private static Map<String, Object> describe(Region r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("displayName", r.displayName);
        m.put("city", r.city);
        m.put("latitude", r.latitude);
        m.put("longitude", r.longitude);
        m.put("baseDomain", r.baseDomain);
        m.put("ingressClass", r.ingressClass);
        m.put("ingressNamespace", r.ingressNamespace);
        m.put("context", r.kubeContext);
        m.put("openToNewTenants", r.openToNewTenants);
        m.put("publishesDns", Boolean.TRUE.equals(r.publishesDns));
        m.put("tlsIssuer", r.tlsIssuer);
        m.put("tenants", r.id == null ? List.of() : String.join(",", grantedSlugs(r.id)));
        return m;
    }

    private static Map<String, Object> diff(Map<String, Object> before, Map<String, Object> after) {
        Map<String, Object> d = new LinkedHashMap<>();
        after.forEach((k, val) -> {
            if (!Objects.equals(before.get(k), val)) {
                d.put(k, before.get(k) + " -> " + val);
            }
        });
        return d;
    }
}
