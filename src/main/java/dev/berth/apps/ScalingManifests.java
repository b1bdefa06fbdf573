package dev.berth.apps;

import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.kube.ScalingApis;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure functions from an app's layout and autoscaler to its HorizontalPodAutoscaler and PodDisruptionBudgets in one
 * region, in the API versions the region's cluster serves ({@link ScalingApis}). See ADR 0016.
 *
 * <ul>
 * <li>The autoscaler ({@code <app>}) targets the serving Deployment: the single one of rolling and recreate, the
 * live colour of blue/green (so it follows a switch and a switch back), the stable track of canary (the canary keeps
 * its fixed count). That Deployment's replicas are the autoscaler's: Berth sets them when it creates the Deployment
 * and leaves them alone afterwards ({@link #yieldReplicas}).</li>
 * <li>Every Deployment of the app that runs two or more replicas (the autoscaled one: whose minimum is two or more)
 * gets a disruption budget of the same name, with {@code maxUnavailable: 1} and the Deployment's own (immutable)
 * selector, so a voluntary disruption (a node drain) takes at most one of its pods at a time and a blue/green switch
 * does not change any budget.</li>
 * </ul>
 */
public final class ScalingManifests {
    private ScalingManifests() {
    }

    /** The HPA and PDBs of an app; {@code layout} null means the default single rolling Deployment. */
    public static List<HasMetadata> desired(AppSpec app, AppLayout layout, Autoscaler autoscaler, ScalingApis apis) {
        AppLayout l = layout != null ? layout : AppLayout.rolling(app);
        String serving = servingDeployment(app, l);
        List<HasMetadata> objects = new ArrayList<>();
        if (autoscaler != null && apis.autoscaling() != null) {
            objects.add(ScalingApis.AUTOSCALING_V2.equals(apis.autoscaling())
                    ? hpaV2(app, serving, autoscaler) : hpaV2beta2(app, serving, autoscaler));
        }
        if (apis.policy() != null) {
            for (AppLayout.Track t : l.tracks()) {
                String name = AppLayout.deploymentName(app.name(), t.label());
                int replicas = autoscaler != null && name.equals(serving) ? autoscaler.minReplicas() : t.replicas();
                if (replicas >= 2) {
                    objects.add(ScalingApis.POLICY_V1.equals(apis.policy()) ? pdbV1(app, name, t.label())
                            : pdbV1beta1(app, name, t.label()));
                }
            }
        }
        return objects;
    }

    /**
     * The Deployment that serves and that the autoscaler scales: the live colour, the stable track, or the single
     * Deployment (during a change of strategy, the serving one of the strategy whose Service selector applies).
     */
    public static String servingDeployment(AppSpec app, AppLayout layout) {
        String label = AppLayout.servingLabel(layout.strategy(), layout.liveColor());
        for (AppLayout.Track t : layout.tracks()) {
            if (java.util.Objects.equals(label, t.label())) {
                return AppLayout.deploymentName(app.name(), label);
            }
        }
        return AppLayout.deploymentName(app.name(), layout.tracks().isEmpty() ? null : layout.tracks().get(0).label());
    }

    /**
     * Makes Berth's Deployment leave its replica count to the autoscaler: a Deployment that exists keeps whatever
     * count it has (the field is left out, so the drift check does not compare it and no patch carries it); a new
     * one starts with its fixed count brought within the autoscaler's bounds.
     */
    public static void yieldReplicas(Deployment desired, HasMetadata existing, Autoscaler autoscaler) {
        Integer fixed = desired.getSpec().getReplicas();
        desired.getSpec().setReplicas(existing != null ? null : autoscaler.clamp(fixed == null ? 1 : fixed));
    }

    private static ObjectMeta meta(AppSpec app, String name, String label) {
        Map<String, String> labels = Labels.app(app.tenant(), app.name());
        labels.putAll(selectorExtra(label));
        return new ObjectMetaBuilder().withName(name).withNamespace(Names.namespace(app.tenant())).withLabels(labels)
                .build();
    }

    private static Map<String, String> selectorExtra(String label) {
        return label == null ? Map.of() : Map.of(AppLayout.labelKey(label), label);
    }

    private static Map<String, String> selector(AppSpec app, String label) {
        Map<String, String> selector = new LinkedHashMap<>(Labels.appSelector(app.tenant(), app.name()));
        selector.putAll(selectorExtra(label));
        return selector;
    }

    /**
     * The HPA in autoscaling/v2. Its metrics list memory before CPU in both versions: an apiserver that stores
     * autoscalers as autoscaling/v1 (before 1.23; v1.20 in the tests) keeps the CPU target in its own v1 field and
     * the other metrics in an annotation, and reads them back with CPU last. In any other order the drift check would
     * find the list changed on every pass and Berth would patch it back forever.
     */
    static HasMetadata hpaV2(AppSpec app, String target, Autoscaler a) {
        List<io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec> metrics = new ArrayList<>();
        if (a.memoryPercent() != null) {
            metrics.add(metricV2("memory", a.memoryPercent()));
        }
        metrics.add(metricV2("cpu", a.cpuPercent()));
        return new io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder()
                .withMetadata(meta(app, app.name(), null))
                .withNewSpec().withMinReplicas(a.minReplicas()).withMaxReplicas(a.maxReplicas())
                .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName(target)
                .endScaleTargetRef().withMetrics(metrics).endSpec().build();
    }

    private static io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec metricV2(String resource, int percent) {
        return new io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder().withType("Resource")
                .withNewResource().withName(resource).withNewTarget().withType("Utilization")
                .withAverageUtilization(percent).endTarget().endResource().build();
    }

    static HasMetadata hpaV2beta2(AppSpec app, String target, Autoscaler a) {
        List<io.fabric8.kubernetes.api.model.autoscaling.v2beta2.MetricSpec> metrics = new ArrayList<>();
        if (a.memoryPercent() != null) {
            metrics.add(metricV2beta2("memory", a.memoryPercent()));
        }
        metrics.add(metricV2beta2("cpu", a.cpuPercent()));
        return new io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscalerBuilder()
                .withMetadata(meta(app, app.name(), null))
                .withNewSpec().withMinReplicas(a.minReplicas()).withMaxReplicas(a.maxReplicas())
                .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName(target)
                .endScaleTargetRef().withMetrics(metrics).endSpec().build();
    }

    private static io.fabric8.kubernetes.api.model.autoscaling.v2beta2.MetricSpec metricV2beta2(String resource,
            int percent) {
        return new io.fabric8.kubernetes.api.model.autoscaling.v2beta2.MetricSpecBuilder().withType("Resource")
                .withNewResource().withName(resource).withNewTarget().withType("Utilization")
                .withAverageUtilization(percent).endTarget().endResource().build();
    }

    static HasMetadata pdbV1(AppSpec app, String deployment, String label) {
        return new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder()
                .withMetadata(meta(app, deployment, label))
                .withNewSpec().withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(selector(app, label)).endSelector().endSpec().build();
    }

    static HasMetadata pdbV1beta1(AppSpec app, String deployment, String label) {
        return new io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudgetBuilder()
                .withMetadata(meta(app, deployment, label))
                .withNewSpec().withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(selector(app, label)).endSelector().endSpec().build();
    }
}
