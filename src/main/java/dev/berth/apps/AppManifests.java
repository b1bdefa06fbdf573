package dev.berth.apps;

import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.kube.Quantities;
import dev.berth.kube.RegionInfo;
import dev.berth.tenancy.TenantManifests;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure functions from an app's desired state to its Deployment, Service, Ingress and (when it has secret env) its
 * Secret in one region. Pods follow Pod Security {@code restricted}; rolling updates never take a ready pod away
 * before its replacement is ready.
 */
public final class AppManifests {
    public static final String CONTAINER = "app";
    public static final int SERVICE_PORT = 80;

    private AppManifests() {
    }

    public static List<HasMetadata> desired(AppSpec app, RegionInfo region) {
        List<HasMetadata> objects = new ArrayList<>();
        if (!app.secretEnv().isEmpty()) {
            objects.add(secret(app));
        }
        objects.add(deployment(app));
        objects.add(service(app));
        objects.add(ingress(app, region));
        return objects;
    }

    public static String secretName(String app) {
        return app + "-env";
    }

    /** The host an app is served at in a region: its custom domain, else {@code <app>.<tenant>.<base domain>}. */
    public static String host(AppSpec app, RegionInfo region) {
        return host(app.name(), app.tenant(), app.customDomain(), region.baseDomain());
    }

    public static String host(String app, String tenant, String customDomain, String baseDomain) {
        return customDomain != null ? customDomain : app + "." + tenant + "." + baseDomain;
    }

    static Secret secret(AppSpec app) {
        return secret(app, app.name(), Map.of());
    }

    /** The secret env of the Deployment named {@code deployment} (each colour or track has its own). */
    static Secret secret(AppSpec app, String deployment, Map<String, String> extraLabels) {
        Map<String, String> labels = Labels.app(app.tenant(), app.name());
        labels.putAll(extraLabels);
        Map<String, String> data = new LinkedHashMap<>();
        app.secretEnv().forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder().withNewMetadata().withName(secretName(deployment))
                .withNamespace(Names.namespace(app.tenant())).withLabels(labels)
                .endMetadata().withType("Opaque").withData(data).build();
    }

    static Deployment deployment(AppSpec app) {
        return deployment(app, app.name(), Map.of(), Map.of(), app.replicas(), rollingStrategy("25%", "0"));
    }

    /**
     * A Deployment of the app named {@code name}: its selector is the app's plus {@code selectorExtra} (a colour or
     * track, fixed for the Deployment's life), its pods carry {@code podExtra} too (the release number).
     */
    static Deployment deployment(AppSpec app, String name, Map<String, String> selectorExtra,
            Map<String, String> podExtra, int replicas, DeploymentStrategy strategy) {
        Map<String, String> labels = Labels.app(app.tenant(), app.name());
        labels.putAll(selectorExtra);
        Map<String, String> podLabels = new LinkedHashMap<>(labels);
        podLabels.putAll(podExtra);
        Map<String, String> selector = Labels.appSelector(app.tenant(), app.name());
        selector.putAll(selectorExtra);
        Map<String, String> podAnnotations = new LinkedHashMap<>();
        if (!app.secretEnv().isEmpty()) {
            podAnnotations.put(Labels.SECRET_HASH, secretHash(app));
        }
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(Names.namespace(app.tenant()))
                .withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().withMatchLabels(selector).endSelector()
                .withStrategy(strategy)
                .withRevisionHistoryLimit(5)
                .withNewTemplate().withNewMetadata().withLabels(podLabels).withAnnotations(podAnnotations).endMetadata()
                .withNewSpec().withServiceAccountName(TenantManifests.SERVICE_ACCOUNT)
                .withAutomountServiceAccountToken(false).withEnableServiceLinks(false)
                .withNewSecurityContext().withRunAsNonRoot(true).withNewSeccompProfile().withType("RuntimeDefault")
                .endSeccompProfile().endSecurityContext()
                .withContainers(container(app, name))
                .endSpec().endTemplate().endSpec().build();
    }

    /** A rolling update; {@code maxSurge} and {@code maxUnavailable} are a count ("1") or a percentage ("25%"). */
    static DeploymentStrategy rollingStrategy(String maxSurge, String maxUnavailable) {
        return new DeploymentStrategyBuilder().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(intOrPercent(maxSurge)).withMaxUnavailable(intOrPercent(maxUnavailable))
                .endRollingUpdate().build();
    }

    static DeploymentStrategy recreateStrategy() {
        return new DeploymentStrategyBuilder().withType("Recreate").build();
    }

    private static IntOrString intOrPercent(String value) {
        return value.endsWith("%") ? new IntOrString(value) : new IntOrString(Integer.parseInt(value));
    }

    private static Container container(AppSpec app, String deployment) {
        ContainerBuilder c = new ContainerBuilder().withName(CONTAINER).withImage(app.image())
                .addNewPort().withName("http").withContainerPort(app.port()).withProtocol("TCP").endPort()
                .withEnv(env(app, deployment))
                .withNewResources()
                .withRequests(Quantities.cpuAndMemory(Quantities.cpu(app.cpuRequestMillis()),
                        Quantities.memory(app.memoryRequestBytes())))
                .withLimits(Quantities.cpuAndMemory(Quantities.cpu(app.cpuLimitMillis()),
                        Quantities.memory(app.memoryLimitBytes())))
                .endResources()
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withRunAsNonRoot(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext();
        if (app.healthPath() != null) {
            c.withReadinessProbe(probe(app, 3, 5)).withLivenessProbe(probe(app, 30, 10));
        }
        return c.build();
    }

    private static Probe probe(AppSpec app, int initialDelay, int period) {
        return new ProbeBuilder().withHttpGet(new HTTPGetActionBuilder().withPath(app.healthPath())
                        .withPort(new IntOrString("http")).build())
                .withInitialDelaySeconds(initialDelay).withPeriodSeconds(period).withFailureThreshold(3).build();
    }

    /** The env of a container of the app whose secret values come from {@code deployment}'s Secret. */
    public static List<EnvVar> env(AppSpec app, String deployment) {
        List<EnvVar> env = new ArrayList<>();
        app.env().forEach((k, v) -> env.add(new EnvVarBuilder().withName(k).withValue(v).build()));
        app.secretEnv().keySet().forEach(k -> env.add(new EnvVarBuilder().withName(k).withNewValueFrom()
                .withNewSecretKeyRef().withName(secretName(deployment)).withKey(k).endSecretKeyRef().endValueFrom()
                .build()));
        return env;
    }

    /** A digest of the secret values, so a changed secret rolls the pods; the values themselves stay out. */
    private static String secretHash(AppSpec app) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            app.secretEnv().forEach((k, v) -> {
                md.update(k.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(v.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            });
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Service service(AppSpec app) {
        return service(app, app.name(), Map.of());
    }

    /** A Service named {@code name} selecting the app's pods, narrowed by {@code selectorExtra} (colour, track). */
    public static Service service(AppSpec app, String name, Map<String, String> selectorExtra) {
        Map<String, String> selector = Labels.appSelector(app.tenant(), app.name());
        selector.putAll(selectorExtra);
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(Names.namespace(app.tenant()))
                .withLabels(Labels.app(app.tenant(), app.name())).endMetadata()
                .withNewSpec().withType("ClusterIP").withSelector(selector)
                .addNewPort().withName("http").withPort(SERVICE_PORT).withTargetPort(new IntOrString("http"))
                .withProtocol("TCP").endPort().endSpec().build();
    }

    public static Ingress ingress(AppSpec app, RegionInfo region) {
        return ingress(app, region, app.name(), Map.of());
    }

    /** An Ingress named {@code name} routing the app's host to the Service of the same name. */
    static Ingress ingress(AppSpec app, RegionInfo region, String name, Map<String, String> annotations) {
        return new IngressBuilder().withNewMetadata().withName(name).withNamespace(Names.namespace(app.tenant()))
                .withLabels(Labels.app(app.tenant(), app.name())).withAnnotations(annotations.isEmpty() ? null : annotations)
                .endMetadata()
                .withNewSpec().withIngressClassName(region.ingressClass())
                .addNewRule().withHost(host(app, region)).withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
                .withNewBackend().withNewService().withName(name).withNewPort().withNumber(SERVICE_PORT).endPort()
                .endService().endBackend().endPath().endHttp().endRule()
                .endSpec().build();
    }
}
