package dev.berth.kube;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which versions of the HorizontalPodAutoscaler and PodDisruptionBudget APIs a cluster serves, read once per region
 * connection from the API server's discovery ({@code GET /apis}, allowed to every authenticated client by the
 * default {@code system:discovery} role): {@code autoscaling/v2} where served (Kubernetes 1.23 and later), else
 * {@code autoscaling/v2beta2} (1.12 to 1.25); {@code policy/v1} where served (1.21 and later), else
 * {@code policy/v1beta1}. A null version means the cluster serves neither, and Berth writes no such objects there.
 */
public record ScalingApis(String autoscaling, String policy, String cronJobs) {
    public static final String AUTOSCALING_V2 = "v2";
    public static final String AUTOSCALING_V2BETA2 = "v2beta2";
    public static final String POLICY_V1 = "v1";
    public static final String POLICY_V1BETA1 = "v1beta1";
    /** The newest versions: what the sandbox region's in-process API server (which accepts anything) is given. */
    public static final String BATCH_V1 = "v1";
    public static final String BATCH_V1BETA1 = "v1beta1";
    public static final ScalingApis NEWEST = new ScalingApis(AUTOSCALING_V2, POLICY_V1, BATCH_V1);
    public static final ScalingApis NONE = new ScalingApis(null, null, null);

    /** Without CronJobs (a cluster whose batch group is not known). */
    public ScalingApis(String autoscaling, String policy) {
        this(autoscaling, policy, null);
    }

    /**
     * Asks the cluster (one discovery request, and one more for the batch/v1 resources: the group version alone
     * does not say whether CronJobs moved there, which they did in 1.21). Throws when it does not answer.
     */
    public static ScalingApis discover(KubernetesClient client) {
        APIGroupList groups = client.getApiGroups();
        Set<String> batch = versions(groups, "batch");
        boolean cronV1 = false;
        if (batch.contains(BATCH_V1)) {
            var resources = client.getApiResources("batch/" + BATCH_V1);
            cronV1 = resources != null && resources.getResources() != null && resources.getResources().stream()
                    .anyMatch(r -> "cronjobs".equals(r.getName()));
        }
        ScalingApis scaling = of(groups);
        return new ScalingApis(scaling.autoscaling(), scaling.policy(),
                cronV1 ? BATCH_V1 : batch.contains(BATCH_V1BETA1) ? BATCH_V1BETA1 : null);
    }

    /** The versions Berth uses, from a discovery answer. */
    public static ScalingApis of(APIGroupList groups) {
        Set<String> autoscaling = versions(groups, "autoscaling");
        Set<String> policy = versions(groups, "policy");
        return new ScalingApis(
                autoscaling.contains(AUTOSCALING_V2) ? AUTOSCALING_V2
                        : autoscaling.contains(AUTOSCALING_V2BETA2) ? AUTOSCALING_V2BETA2 : null,
                policy.contains(POLICY_V1) ? POLICY_V1 : policy.contains(POLICY_V1BETA1) ? POLICY_V1BETA1 : null);
    }

    private static Set<String> versions(APIGroupList groups, String group) {
        if (groups == null || groups.getGroups() == null) {
            return Set.of();
        }
        return groups.getGroups().stream().filter(g -> group.equals(g.getName()))
                .map(APIGroup::getVersions).filter(v -> v != null).flatMap(List::stream)
                .map(GroupVersionForDiscovery::getVersion).collect(Collectors.toSet());
    }

    /** The model classes of the served versions, which the region's watch cache then follows. */
    public List<Class<? extends HasMetadata>> kinds() {
        List<Class<? extends HasMetadata>> kinds = new ArrayList<>();
        if (AUTOSCALING_V2.equals(autoscaling)) {
            kinds.add(io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class);
        } else if (AUTOSCALING_V2BETA2.equals(autoscaling)) {
            kinds.add(io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler.class);
        }
        if (POLICY_V1.equals(policy)) {
            kinds.add(io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class);
        } else if (POLICY_V1BETA1.equals(policy)) {
            kinds.add(io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget.class);
        }
        if (BATCH_V1.equals(cronJobs)) {
            kinds.add(io.fabric8.kubernetes.api.model.batch.v1.CronJob.class);
        } else if (BATCH_V1BETA1.equals(cronJobs)) {
            kinds.add(io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob.class);
        }
        return kinds;
    }

    /** The model class of the served HorizontalPodAutoscaler version, or null when neither is served. */
    public Class<? extends HasMetadata> autoscalerKind() {
        return AUTOSCALING_V2.equals(autoscaling) ? io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class
                : AUTOSCALING_V2BETA2.equals(autoscaling)
                        ? io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler.class : null;
    }

    /** "autoscaling/v2beta2" etc., for pages and the API; null when not served. */
    public String autoscalingApiVersion() {
        return autoscaling == null ? null : "autoscaling/" + autoscaling;
    }

    /** "batch/v1beta1" etc.; null when the cluster serves no CronJobs (or is not known yet). */
    public String cronJobApiVersion() {
        return cronJobs == null ? null : "batch/" + cronJobs;
    }

    public String policyApiVersion() {
        return policy == null ? null : "policy/" + policy;
    }
}
