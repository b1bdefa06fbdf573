package dev.berth.apps;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.api.ApiException;
import dev.berth.api.Validator;
import dev.berth.audit.AuditLog;
import dev.berth.kube.ClusterCache;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.kube.ScalingApis;
import dev.berth.quotas.AppFootprint;
import dev.berth.quotas.QuotaService;
import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An app's autoscaler: set, changed or removed in one transaction with its quota check (the tenant's quota counts
 * the autoscaler's maximum) and audit record; the region workers then write the HorizontalPodAutoscaler and the
 * disruption budgets ({@link ScalingManifests}). Not a release: the pods are not replaced. Status comes from the
 * regions' watch caches.
 */
@ApplicationScoped
public class AutoscalingService {
    @Inject
    QuotaService quota;
    @Inject
    AuditLog audit;
    @Inject
    Event<DesiredStateChanged> changed;
    @Inject
    RegionClients clients;

    @Transactional
    public AutoscalingView get(long tenantId, String tenant, String app) {
        App a = App.require(tenantId, app);
        return view(a, tenant);
    }

    @Transactional
    public AutoscalingView set(long tenantId, String tenant, String app, AutoscalingRequest req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        Validator v = new Validator();
        Autoscaler next = Autoscaler.validate(v, req.minReplicas(), req.maxReplicas(), req.cpuPercent(),
                req.memoryPercent());
        v.throwIfInvalid();
        quota.lock(tenantId);
        App a = App.require(tenantId, app);
        Autoscaler before = a.autoscaler();
        if (next.equals(before)) {
            return view(a, tenant);
        }
        AppFootprint footprintBefore = a.footprint();
        apply(a, next);
        // Checked before anything is flushed: a refusal leaves the app as it was.
        quota.checkAutoscaler(tenantId, a.id, footprintBefore, a.footprint());
        a.updatedAt = Instant.now();
        audit.record(tenantId, tenant, a.name, "app.autoscaler", (before == null ? "set" : "changed")
                + " the autoscaler: " + describe(next), diff(before, next));
        changed.fire(new DesiredStateChanged(tenant));
        return view(a, tenant);
    }

    @Transactional
    public void remove(long tenantId, String tenant, String app) {
        quota.lock(tenantId);
        App a = App.require(tenantId, app);
        Autoscaler before = a.autoscaler();
        if (before == null) {
            return;
        }
        apply(a, null);
        a.updatedAt = Instant.now();
        audit.record(tenantId, tenant, a.name, "app.autoscaler", "removed the autoscaler; " + a.replicas
                + " fixed replica(s)", diff(before, null));
        changed.fire(new DesiredStateChanged(tenant));
    }

    private static void apply(App a, Autoscaler s) {
        a.autoscaleMinReplicas = s == null ? null : s.minReplicas();
        a.autoscaleMaxReplicas = s == null ? null : s.maxReplicas();
        a.autoscaleCpuPercent = s == null ? null : s.cpuPercent();
        a.autoscaleMemoryPercent = s == null ? null : s.memoryPercent();
    }

    static String describe(Autoscaler s) {
        return s.minReplicas() + " to " + s.maxReplicas() + " replicas at " + s.cpuPercent() + "% CPU"
                + (s.memoryPercent() == null ? "" : ", " + s.memoryPercent() + "% memory");
    }

    private static Map<String, Object> diff(Autoscaler before, Autoscaler after) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("autoscaler", (before == null ? "none" : describe(before)) + " -> "
                + (after == null ? "none" : describe(after)));
        return d;
    }

    private AutoscalingView view(App a, String tenant) {
        Autoscaler s = a.autoscaler();
        AutoscalingRequest settings = s == null ? null
                : new AutoscalingRequest(s.minReplicas(), s.maxReplicas(), s.cpuPercent(), s.memoryPercent());
        List<AutoscalingView.RegionScaling> regions = new ArrayList<>();
        for (Region r : placedRegions(a)) {
            regions.add(region(r, tenant, a));
        }
        return new AutoscalingView(settings, a.replicas, regions);
    }

    private static List<Region> placedRegions(App a) {
        return Panache.getEntityManager().createQuery("select r from Region r where r.id in (select ar.regionId from "
                + "AppRegion ar where ar.appId = :a) order by r.name", Region.class).setParameter("a", a.id)
                .getResultList();
    }

    /** What the region's watch caches show of the app's autoscaler and budgets; never a call to the cluster. */
    private AutoscalingView.RegionScaling region(Region r, String tenant, App a) {
        Optional<RegionCluster> cluster = clients.get(r.name);
        if (cluster.isEmpty() || !cluster.get().cache().synced()) {
            return new AutoscalingView.RegionScaling(r.name, null, null, null, null, null, null, null, null, List.of(),
                    List.of(), cluster.isEmpty() ? "region not connected" : "waiting for the region's first sync");
        }
        ClusterCache cache = cluster.get().cache();
        ScalingApis apis = cache.scalingApis();
        String ns = Names.namespace(tenant);
        JsonNode hpa = null;
        List<AutoscalingView.Budget> budgets = new ArrayList<>();
        for (Class<? extends HasMetadata> kind : apis.kinds()) {
            for (HasMetadata o : cache.list(kind, ns)) {
                Map<String, String> labels = o.getMetadata().getLabels();
                if (labels == null || !a.name.equals(labels.get(Labels.APP))) {
                    continue;
                }
                JsonNode n = Serialization.jsonMapper().valueToTree(o);
                if ("HorizontalPodAutoscaler".equals(o.getKind())) {
                    hpa = n;
                } else {
                    JsonNode st = n.path("status");
                    budgets.add(new AutoscalingView.Budget(o.getMetadata().getName(),
                            text(n.path("spec").path("maxUnavailable")), integer(st.path("currentHealthy")),
                            integer(st.path("desiredHealthy")), integer(st.path("expectedPods")),
                            integer(st.path("disruptionsAllowed"))));
                }
            }
        }
        budgets.sort(java.util.Comparator.comparing(AutoscalingView.Budget::name));
        String note = apis.autoscaling() == null && a.autoscaler() != null
                ? "the cluster serves no autoscaling/v2 or v2beta2 API: the replicas stay fixed" : null;
        if (hpa == null) {
            return new AutoscalingView.RegionScaling(r.name, apis.autoscalingApiVersion(), apis.policyApiVersion(),
                    null, null, null, null, null, null, List.of(), budgets, note != null ? note
                    : a.autoscaler() != null ? "the autoscaler is not written yet" : null);
        }
        String target = text(hpa.path("spec").path("scaleTargetRef").path("name"));
        Deployment d = target == null ? null : cache.get(Deployment.class, ns, target);
        JsonNode st = hpa.path("status");
        List<AutoscalingView.Condition> conditions = new ArrayList<>();
        for (JsonNode c : st.path("conditions")) {
            conditions.add(new AutoscalingView.Condition(text(c.path("type")), text(c.path("status")),
                    text(c.path("reason")), text(c.path("message")), time(text(c.path("lastTransitionTime")))));
        }
        return new AutoscalingView.RegionScaling(r.name, apis.autoscalingApiVersion(), apis.policyApiVersion(), target,
                d == null || d.getSpec() == null ? null : d.getSpec().getReplicas(),
                d == null || d.getStatus() == null ? null : nz(d.getStatus().getReadyReplicas()),
                integer(st.path("currentReplicas")), integer(st.path("desiredReplicas")),
                time(text(st.path("lastScaleTime"))), conditions, budgets, note);
    }

    private static String text(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? null : n.asText();
    }

    private static Integer integer(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? null : n.asInt();
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    private static Instant time(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
