package dev.berth.placement;

import dev.berth.apps.AppManifests;
import dev.berth.apps.AppSpec;
import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.kube.RegionInfo;
import dev.berth.tenancy.TenantManifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The objects of an app in a replica region of an edge-cache placement: a ConfigMap with the generated nginx.conf,
 * an nginx Deployment (unprivileged image, Pod Security {@code restricted}) that restarts when the configuration
 * changes (a purge is a new configuration), and the app's usual Service and Ingress, which now reach nginx.
 * Pure, like {@link AppManifests}.
 */
public final class EdgeCacheManifests {
    public static final String IMAGE = "docker.io/nginxinc/nginx-unprivileged:1.27-alpine";
    public static final String CONFIG_HASH = "berth.dev/edge-config-hash";
    /** The {@link Labels#TRACK} of the nginx Deployment and its pods. */
    public static final String EDGE_TRACK = "edge";

    /** What a replica region needs to know: the primary's public host and the cache rules and generation. */
    public record EdgeSpec(String originHost, List<Placement.CacheRule> rules, int generation) {
    }

    private EdgeCacheManifests() {
    }

    public static String configMapName(String app) {
        return app + "-edge";
    }

    public static List<HasMetadata> desired(AppSpec app, EdgeSpec edge, RegionInfo region) {
        String conf = EdgeCacheConfig.render(edge.originHost() + ":80", edge.originHost(), edge.rules(),
                edge.generation(), EdgeCacheConfig.Paths.CONTAINER);
        String ns = Names.namespace(app.tenant());
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(configMapName(app.name())).withNamespace(ns)
                .withLabels(Labels.app(app.tenant(), app.name())).endMetadata()
                .withData(Map.of("nginx.conf", conf)).build();
        Map<String, String> labels = Labels.app(app.tenant(), app.name());
        labels.put(Labels.TRACK, EDGE_TRACK);
        Map<String, String> selector = Labels.appSelector(app.tenant(), app.name());
        Deployment d = new DeploymentBuilder().withNewMetadata().withName(app.name()).withNamespace(ns)
                .withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(app.replicas())
                .withNewSelector().withMatchLabels(selector).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).withAnnotations(Map.of(CONFIG_HASH, hash(conf)))
                .endMetadata()
                .withNewSpec().withServiceAccountName(TenantManifests.SERVICE_ACCOUNT)
                .withAutomountServiceAccountToken(false).withEnableServiceLinks(false)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(101L).withNewSeccompProfile()
                .withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .addNewContainer().withName("edge").withImage(IMAGE)
                .withArgs("nginx", "-c", "/etc/berth-edge/nginx.conf", "-g", "daemon off;")
                .addNewPort().withName("http").withContainerPort(8080).withProtocol("TCP").endPort()
                .withNewResources().addToRequests("cpu", new Quantity("50m")).addToRequests("memory", new Quantity("64Mi"))
                .addToLimits("cpu", new Quantity("500m")).addToLimits("memory", new Quantity("256Mi")).endResources()
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .addNewVolumeMount().withName("config").withMountPath("/etc/berth-edge").withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("cache").withMountPath("/var/cache/berth-edge").endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("config").withNewConfigMap().withName(configMapName(app.name())).endConfigMap()
                .endVolume()
                .addNewVolume().withName("cache").withNewEmptyDir().withSizeLimit(new Quantity("1Gi")).endEmptyDir()
                .endVolume()
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec().endTemplate().endSpec().build();
        return List.of(cm, d, AppManifests.service(app, app.name(), Map.of()), AppManifests.ingress(app, region));
    }

    /** True for the nginx Deployment of an edge cache (as opposed to the app's own workload). */
    public static boolean isEdge(HasMetadata o) {
        return o instanceof Deployment && o.getMetadata().getLabels() != null
                && EDGE_TRACK.equals(o.getMetadata().getLabels().get(Labels.TRACK));
    }

    public static String hash(String conf) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(conf.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
