package dev.berth.releases;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.apps.App;
import dev.berth.apps.AppLayout;
import dev.berth.apps.AppService;
import dev.berth.apps.AppSpec;
import dev.berth.apps.LayoutManifests;
import dev.berth.kube.ClusterCache;
import dev.berth.kube.DriftCheck;
import dev.berth.kube.Labels;
import dev.berth.kube.MergePatch;
import dev.berth.kube.Names;
import dev.berth.kube.RegionInfo;
import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Computes plans. A plan runs the very same change as the deploy it previews (inside a transaction the caller
 * rolls back), renders the app's desired objects per region from that state and compares them with the watch
 * caches, so what apply then does is by construction what the plan showed. The fingerprint is a digest of the
 * desired objects after the change (and the release number): apply recomputes it in its own transaction and
 * refuses when it differs, i.e. when anything that shapes the result changed in between.
 */
@ApplicationScoped
public class Plans {
    @Inject
    ReleaseLayouts layouts;
    @Inject
    AppService apps;
    @Inject
    RegionClients clients;
    @Inject
    dev.berth.tls.TlsSettings tls;

    /** The plan of the app's state as the current transaction sees it (after the change being planned). */
    PlanView plan(App a, String tenant, Release created) {
        AppSpec base = new AppSpec(tenant, a.name, a.image, a.port, a.replicas, a.cpuRequestMillis, a.cpuLimitMillis,
                a.memoryRequestBytes, a.memoryLimitBytes, a.healthPath, a.customDomain, new TreeMap<>(a.env),
                apps.unsealedSecrets(a));
        String ns = Names.namespace(tenant);
        List<PlanView.RegionPlan> regions = new ArrayList<>();
        TreeMap<String, String> desiredJson = new TreeMap<>();
        dev.berth.tls.TlsSpec tlsSpec = tls.of(List.of(a)).get(a.name);
        for (Region r : RolloutProgress.regionsOf(a.tenantId, a.name)) {
            RegionInfo info = r.info();
            // Per region: a region waiting for its wave (or starting, or switched) has its own layout.
            AppLayout layout = layouts.layoutIn(a, base, r.id);
            List<HasMetadata> desired = new ArrayList<>(LayoutManifests.desired(base, layout, info));
            // As the reconciler writes them: with the app's TLS on its Ingress (and an uploaded certificate's Secret).
            dev.berth.tls.TlsManifests.apply(desired, base, tlsSpec, info);
            Optional<RegionCluster> cluster = clients.get(r.name);
            List<String> create = new ArrayList<>();
            List<PlanView.Change> change = new ArrayList<>();
            Set<String> wanted = new TreeSet<>();
            for (HasMetadata o : desired) {
                String id = o.getKind() + "/" + o.getMetadata().getName();
                wanted.add(id);
                desiredJson.put(r.name + "/" + id, Serialization.asJson(o));
                HasMetadata actual = cluster.map(c -> c.writer().known(o, c.cache().get(o.getClass(), ns,
                        o.getMetadata().getName()))).orElse(null);
                if (actual == null) {
                    create.add(id);
                } else if (!DriftCheck.covers(o, actual)) {
                    JsonNode ops = Serialization.unmarshal(MergePatch.jsonPatch(o, actual), JsonNode.class);
                    change.add(new PlanView.Change(id, ops));
                }
            }
            List<String> delete = new ArrayList<>();
            if (cluster.isPresent()) {
                ClusterCache cache = cluster.get().cache();
                for (Class<? extends HasMetadata> kind : ClusterCache.MANAGED_KINDS) {
                    if (kind == Namespace.class) {
                        continue;
                    }
                    for (HasMetadata o : cache.list(kind, ns)) {
                        Map<String, String> l = o.getMetadata().getLabels();
                        String id = o.getKind() + "/" + o.getMetadata().getName();
                        if (l != null && a.name.equals(l.get(Labels.APP)) && !wanted.contains(id)
                                && o.getMetadata().getDeletionTimestamp() == null) {
                            delete.add(id);
                        }
                    }
                }
            }
            regions.add(new PlanView.RegionPlan(r.name, create, change, delete));
        }
        Release shown = created != null ? created : Release.latest(a.id);
        String fingerprint = digest((created == null ? "-" : Integer.toString(created.number)) + "\n"
                + String.join("\n", desiredJson.values()));
        return new PlanView(fingerprint, created == null ? null : created.number, shown.image,
                created == null ? Map.of() : created.configDiff, regions);
    }

    private static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
