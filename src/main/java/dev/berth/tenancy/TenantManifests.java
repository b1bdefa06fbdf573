package dev.berth.tenancy;

import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.kube.Quantities;
import dev.berth.kube.RegionInfo;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure functions from a tenant's desired state to the objects that fence its namespace in one region: the
 * namespace with Pod Security {@code restricted}, a ResourceQuota from its effective limits (plan and overrides), a
 * LimitRange with container defaults and a per-container maximum, a default-deny NetworkPolicy, a ServiceAccount for its workloads and a namespaced Role and RoleBinding.
 */
public final class TenantManifests {
    public static final String QUOTA = "berth-quota";
    public static final String LIMITS = "berth-limits";
    public static final String NETWORK_POLICY = "berth-default-deny";
    public static final String SERVICE_ACCOUNT = "berth-workload";
    public static final String ROLE = "berth-tenant";

    private TenantManifests() {
    }

    public static List<HasMetadata> desired(TenantSpec t, RegionInfo region, TenantsConfig.ContainerDefaults defaults) {
        String ns = Names.namespace(t.slug());
        return List.of(namespace(t), quota(t, ns), limitRange(t, ns, defaults), networkPolicy(t, ns, region),
                serviceAccount(t, ns), role(t, ns), roleBinding(t, ns));
    }

    static Namespace namespace(TenantSpec t) {
        Map<String, String> labels = Labels.tenant(t.slug());
        for (String mode : List.of("enforce", "audit", "warn")) {
            labels.put("pod-security.kubernetes.io/" + mode, "restricted");
            labels.put("pod-security.kubernetes.io/" + mode + "-version", "latest");
        }
        return new NamespaceBuilder().withNewMetadata().withName(Names.namespace(t.slug())).withLabels(labels)
                .addToAnnotations("berth.dev/display-name", t.displayName()).endMetadata().build();
    }

    static ResourceQuota quota(TenantSpec t, String ns) {
        Map<String, Quantity> hard = new LinkedHashMap<>();
        hard.put("requests.cpu", new Quantity(Quantities.cpu(t.cpuRequestMillis())));
        hard.put("limits.cpu", new Quantity(Quantities.cpu(t.cpuLimitMillis())));
        hard.put("requests.memory", new Quantity(Quantities.memory(t.memoryRequestBytes())));
        hard.put("limits.memory", new Quantity(Quantities.memory(t.memoryLimitBytes())));
        hard.put("pods", new Quantity(String.valueOf(t.maxPods())));
        return new ResourceQuotaBuilder().withNewMetadata().withName(QUOTA).withNamespace(ns)
                .withLabels(Labels.tenant(t.slug())).endMetadata().withNewSpec().withHard(hard).endSpec().build();
    }

    /**
     * Container defaults for pods that declare no resources, and a per-container maximum at the tenant's caps: a
     * container larger than the whole quota could never be admitted, and the cluster says so at once. Defaults are
     * clamped to the maximum, which a real API server requires.
     */
    static LimitRange limitRange(TenantSpec t, String ns, TenantsConfig.ContainerDefaults d) {
        int maxCpu = t.cpuLimitMillis();
        long maxMemory = t.memoryLimitBytes();
        int cpuLimit = Math.min(Quantities.parseCpuMillis(d.cpuLimit()), maxCpu);
        long memoryLimit = Math.min(Quantities.parseMemoryBytes(d.memoryLimit()), maxMemory);
        int cpuRequest = Math.min(Quantities.parseCpuMillis(d.cpuRequest()), cpuLimit);
        long memoryRequest = Math.min(Quantities.parseMemoryBytes(d.memoryRequest()), memoryLimit);
        return new LimitRangeBuilder().withNewMetadata().withName(LIMITS).withNamespace(ns)
                .withLabels(Labels.tenant(t.slug())).endMetadata()
                .withNewSpec().addNewLimit().withType("Container")
                .withDefault(Quantities.cpuAndMemory(Quantities.cpu(cpuLimit), Quantities.memory(memoryLimit)))
                .withDefaultRequest(Quantities.cpuAndMemory(Quantities.cpu(cpuRequest), Quantities.memory(memoryRequest)))
                .withMax(Quantities.cpuAndMemory(Quantities.cpu(maxCpu), Quantities.memory(maxMemory)))
                .endLimit().endSpec().build();
    }

    /** Ingress only from the same namespace and from the ingress controller; egress stays open. */
    static NetworkPolicy networkPolicy(TenantSpec t, String ns, RegionInfo region) {
        return new NetworkPolicyBuilder().withNewMetadata().withName(NETWORK_POLICY).withNamespace(ns)
                .withLabels(Labels.tenant(t.slug())).endMetadata()
                .withNewSpec().withNewPodSelector().endPodSelector().withPolicyTypes("Ingress")
                .addNewIngress()
                .withFrom(new NetworkPolicyPeerBuilder().withNewPodSelector().endPodSelector().build(),
                        new NetworkPolicyPeerBuilder().withNewNamespaceSelector()
                                .addToMatchLabels("kubernetes.io/metadata.name", region.ingressNamespace())
                                .endNamespaceSelector().build())
                .endIngress().endSpec().build();
    }

    static ServiceAccount serviceAccount(TenantSpec t, String ns) {
        return new ServiceAccountBuilder().withNewMetadata().withName(SERVICE_ACCOUNT).withNamespace(ns)
                .withLabels(Labels.tenant(t.slug())).endMetadata().withAutomountServiceAccountToken(false).build();
    }

    /**
     * What the tenant's people may do with kubectl, if the cluster maps them to the group: read their namespace only.
     * One rule per API group, naming only that group's resources: a rule lists every combination of its groups and
     * resources, and the API server lets Berth create the Role only if Berth holds each one itself (RBAC escalation
     * check), so a single rule over three groups would ask for {@code apps/pods} and the like, which nobody holds.
     */
    static Role role(TenantSpec t, String ns) {
        return new RoleBuilder().withNewMetadata().withName(ROLE).withNamespace(ns)
                .withLabels(Labels.tenant(t.slug())).endMetadata()
                .withRules(readRule("", "pods", "pods/log", "services", "endpoints", "events"),
                        readRule("apps", "deployments", "replicasets"),
                        readRule("networking.k8s.io", "ingresses"))
                .build();
    }

    private static io.fabric8.kubernetes.api.model.rbac.PolicyRule readRule(String group, String... resources) {
        return new PolicyRuleBuilder().withApiGroups(group).withResources(resources).withVerbs("get", "list", "watch")
                .build();
    }

    static RoleBinding roleBinding(TenantSpec t, String ns) {
        return new RoleBindingBuilder().withNewMetadata().withName(ROLE).withNamespace(ns)
                .withLabels(Labels.tenant(t.slug())).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(ROLE).endRoleRef()
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("Group")
                .withName("berth:tenant:" + t.slug()).endSubject()
                .build();
    }
}
