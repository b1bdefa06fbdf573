package dev.berth.builds.executors;

import dev.berth.builds.run.BuildsConfig;
import dev.berth.builds.source.GitSource;
import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.kube.Quantities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.HostAliasBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The builder Job of one build and the fence around it, as pure functions of the build (tested against golden YAML).
 *
 * <p>Each tenant builds in its own namespace of the build region ({@link Names#buildNamespace}): Pod Security
 * {@code baseline} (buildah unpacks layers as uid 0 in its user namespace), a ResourceQuota of the tenant's concurrent
 * builds times one builder pod, and a policy that denies all traffic. Each build adds a NetworkPolicy that lets its
 * pod reach the Git host and the registry (each pinned to the address Berth checked, through {@code hostAliases}),
 * the operator's extra ranges and cluster DNS, and nothing else.
 *
 * <p>An init container fetches exactly the build's commit; the build container runs buildah (chroot isolation, vfs
 * storage, no privileged mode, no service account token) and writes the pushed digest to its termination message,
 * where the executor reads it. Credentials come from a per-build Secret, mounted as files, never in the pod spec.
 * The scripts name every path through the container's environment and its working directory, so that they run
 * unchanged wherever the volumes are mounted.
 */
public final class BuildJobManifests {
    static final String WORKSPACE = "/workspace";
    static final String SECRETS = "/berth-secrets";
    static final String TERMINATION_LOG = "/dev/termination-log";
    public static final String DEFAULT_DENY = "berth-builds-default-deny";
    public static final String QUOTA = "berth-builds-quota";
    static final String COMPONENT = "build";

    private BuildJobManifests() {
    }

    public static String name(String tenant, String app, int number) {
        String base = "build-" + tenant + "-" + app;
        base = base.length() > 50 ? base.substring(0, 50) : base;
        return base.replaceAll("-+$", "") + "-" + number;
    }

    static Map<String, String> labels(String tenant, String app, int number) {
        Map<String, String> l = tenantLabels(tenant);
        l.put(Labels.APP, app);
        l.put("berth.dev/build", Integer.toString(number));
        return l;
    }

    private static Map<String, String> tenantLabels(String tenant) {
        Map<String, String> l = new TreeMap<>();
        // Not "berth": the reconcilers own every object labelled so and would remove what they did not desire.
        l.put(Labels.MANAGED_BY, Labels.BUILDS_MANAGER);
        l.put("app.kubernetes.io/component", COMPONENT);
        l.put(Labels.TENANT, tenant);
        return l;
    }

    /** The tenant's build namespace: Pod Security baseline, enforced. */
    public static Namespace namespace(String tenant) {
        Map<String, String> labels = tenantLabels(tenant);
        for (String mode : List.of("enforce", "audit", "warn")) {
            labels.put("pod-security.kubernetes.io/" + mode, "baseline");
            labels.put("pod-security.kubernetes.io/" + mode + "-version", "latest");
        }
        return new NamespaceBuilder().withNewMetadata().withName(Names.buildNamespace(tenant)).withLabels(labels)
                .endMetadata().build();
    }

    /**
     * Room for {@code concurrentBuilds} builder pods, at the builder's requests and limits: the cluster's own check
     * of what Berth already counts against the tenant's quota before a build starts.
     */
    public static ResourceQuota quota(String tenant, int concurrentBuilds, BuildsConfig.Kubernetes k) {
        int n = Math.max(concurrentBuilds, 0);
        Map<String, Quantity> hard = new TreeMap<>();
        hard.put("pods", new Quantity(Integer.toString(n)));
        hard.put("requests.cpu", new Quantity(Quantities.cpu(n * Quantities.parseCpuMillis(k.cpuRequest()))));
        hard.put("limits.cpu", new Quantity(Quantities.cpu(n * Quantities.parseCpuMillis(k.cpuLimit()))));
        hard.put("requests.memory", new Quantity(Quantities.memory(n * Quantities.parseMemoryBytes(k.memoryRequest()))));
        hard.put("limits.memory", new Quantity(Quantities.memory(n * Quantities.parseMemoryBytes(k.memoryLimit()))));
        return new ResourceQuotaBuilder().withNewMetadata().withName(QUOTA).withNamespace(Names.buildNamespace(tenant))
                .withLabels(tenantLabels(tenant)).endMetadata().withNewSpec().withHard(hard).endSpec().build();
    }

    /** No traffic in or out for any pod of the build namespace, unless a build's own policy allows it. */
    public static NetworkPolicy defaultDeny(String tenant) {
        return new NetworkPolicyBuilder().withNewMetadata().withName(DEFAULT_DENY)
                .withNamespace(Names.buildNamespace(tenant)).withLabels(tenantLabels(tenant)).endMetadata()
                .withNewSpec().withNewPodSelector().endPodSelector().withPolicyTypes("Ingress", "Egress").endSpec()
                .build();
    }

    /** The objects that fence a tenant's build namespace, in the order they are written. */
    public static List<HasMetadata> fence(String tenant, int concurrentBuilds, BuildsConfig.Kubernetes k) {
        return List.of(namespace(tenant), quota(tenant, concurrentBuilds, k), defaultDeny(tenant));
    }

    /**
     * What one builder pod may reach: each pinned host on its port, the operator's extra ranges on any port, and DNS
     * (UDP and TCP 53) inside the cluster. No ingress.
     */
    public static NetworkPolicy networkPolicy(BuildSpec spec, BuildEgress egress) {
        String name = name(spec.tenant(), spec.app(), spec.number());
        List<NetworkPolicyEgressRule> rules = new ArrayList<>();
        rules.add(new NetworkPolicyEgressRuleBuilder()
                .addNewTo().withNewNamespaceSelector().endNamespaceSelector().endTo()
                .addNewPort().withProtocol("UDP").withPort(new IntOrString(53)).endPort()
                .addNewPort().withProtocol("TCP").withPort(new IntOrString(53)).endPort().build());
        for (BuildEgress.Pin p : egress.pins()) {
            rules.add(new NetworkPolicyEgressRuleBuilder().addNewTo().withNewIpBlock().withCidr(p.cidr()).endIpBlock()
                    .endTo().addNewPort().withProtocol("TCP").withPort(new IntOrString(p.port())).endPort().build());
        }
        for (String cidr : egress.cidrs()) {
            rules.add(new NetworkPolicyEgressRuleBuilder().addNewTo().withNewIpBlock().withCidr(cidr).endIpBlock()
                    .endTo().build());
        }
        return new NetworkPolicyBuilder().withNewMetadata().withName(name)
                .withNamespace(Names.buildNamespace(spec.tenant()))
                .withLabels(labels(spec.tenant(), spec.app(), spec.number())).endMetadata()
                .withNewSpec().withNewPodSelector().withMatchLabels(podSelector(spec)).endPodSelector()
                .withPolicyTypes("Ingress", "Egress").withEgress(rules).endSpec().build();
    }

    private static Map<String, String> podSelector(BuildSpec spec) {
        Map<String, String> l = new TreeMap<>();
        l.put(Labels.APP, spec.app());
        l.put("berth.dev/build", Integer.toString(spec.number()));
        return l;
    }

    /**
     * The per-build Secret: Git credentials (token or SSH key), SSH known_hosts, the registry auth file and the
     * registries configuration (short names resolve on Docker Hub; Berth's registry over plain HTTP when it is
     * configured insecure).
     */
    public static Secret secret(BuildSpec spec, String registryAuthJson, String registry, boolean insecureRegistry) {
        Map<String, String> data = new TreeMap<>();
        GitSource.Credentials c = spec.credentials();
        if ("token".equals(c.kind())) {
            data.put("git-username", b64(c.user() == null ? "x-access-token" : c.user()));
            data.put("git-token", b64(c.secret()));
        } else if ("ssh-key".equals(c.kind())) {
            data.put("ssh-key", b64(c.secret()));
        }
        if (spec.sshKnownHosts() != null) {
            data.put("ssh-known-hosts", b64(spec.sshKnownHosts()));
        }
        data.put("auth.json", b64(registryAuthJson));
        data.put("registries.conf", b64(registriesConf(registry, insecureRegistry)));
        return new SecretBuilder().withNewMetadata().withName(name(spec.tenant(), spec.app(), spec.number()))
                .withNamespace(Names.buildNamespace(spec.tenant()))
                .withLabels(labels(spec.tenant(), spec.app(), spec.number())).endMetadata()
                .withType("Opaque").withData(data).build();
    }

    static String registriesConf(String registry, boolean insecure) {
        String conf = "unqualified-search-registries = [\"docker.io\"]\n";
        return insecure ? conf + "\n[[registry]]\nlocation = \"" + registry + "\"\ninsecure = true\n" : conf;
    }

    public static Job job(BuildSpec spec, BuildsConfig.Kubernetes k, long timeoutSeconds, BuildEgress egress) {
        String name = name(spec.tenant(), spec.app(), spec.number());
        Container clone = new ContainerBuilder().withName("clone").withImage(k.gitImage())
                .withCommand("sh", "-ec", CLONE_SCRIPT)
                .withEnv(env("REPO_URL", spec.repoUrl()), env("COMMIT", spec.commitSha()), env("HOME", WORKSPACE + "/.home"),
                        env("BERTH_SECRETS", SECRETS))
                .withWorkingDir(WORKSPACE).withSecurityContext(securityContext(false))
                .withResources(resources(k)).addNewVolumeMount().withName("workspace").withMountPath(WORKSPACE)
                .endVolumeMount().addNewVolumeMount().withName("secrets").withMountPath(SECRETS).withReadOnly(true)
                .endVolumeMount().build();
        Container builder = new ContainerBuilder().withName("build").withImage(k.builderImage())
                .withCommand("sh", "-ec", buildScript(spec))
                .withEnv(env("STORAGE_DRIVER", "vfs"), env("BUILDAH_ISOLATION", "chroot"),
                        env("STORAGE_ROOT", WORKSPACE + "/storage"), env("STORAGE_RUNROOT", WORKSPACE + "/run"),
                        env("TMPDIR", WORKSPACE + "/tmp"), env("HOME", WORKSPACE + "/home"),
                        env("REGISTRY_AUTH_FILE", SECRETS + "/auth.json"),
                        env("CONTAINERS_REGISTRIES_CONF", SECRETS + "/registries.conf"),
                        env("DIGEST_FILE", TERMINATION_LOG))
                .withWorkingDir(WORKSPACE).withSecurityContext(securityContext(true))
                .withTerminationMessagePath(TERMINATION_LOG).withTerminationMessagePolicy("File")
                .withResources(resources(k))
                .addNewVolumeMount().withName("workspace").withMountPath(WORKSPACE).endVolumeMount()
                .addNewVolumeMount().withName("secrets").withMountPath(SECRETS).withReadOnly(true).endVolumeMount()
                .build();
        List<HostAlias> aliases = egress.pins().stream().filter(p -> !p.literal())
                .map(p -> new HostAliasBuilder().withIp(p.address()).withHostnames(p.host()).build()).toList();
        return new JobBuilder().withNewMetadata().withName(name).withNamespace(Names.buildNamespace(spec.tenant()))
                .withLabels(labels(spec.tenant(), spec.app(), spec.number())).endMetadata()
                .withNewSpec().withBackoffLimit(0).withActiveDeadlineSeconds(timeoutSeconds)
                .withTtlSecondsAfterFinished(600)
                .withNewTemplate().withNewMetadata().withLabels(labels(spec.tenant(), spec.app(), spec.number()))
                .endMetadata().withNewSpec().withRestartPolicy("Never").withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false).withHostAliases(aliases)
                .withNewSecurityContext().withFsGroup(65532L).withNewSeccompProfile().withType("RuntimeDefault")
                .endSeccompProfile().endSecurityContext()
                .withInitContainers(clone).withContainers(builder)
                .addNewVolume().withName("workspace").withNewEmptyDir().withSizeLimit(new Quantity(k.workspaceSize()))
                .endEmptyDir().endVolume()
                .addNewVolume().withName("secrets").withNewSecret().withSecretName(name).withDefaultMode(0440)
                .endSecret().endVolume()
                .endSpec().endTemplate().endSpec().build();
    }

    /**
     * buildah bud then push, with the context and Dockerfile relative to the working directory (the workspace) and
     * storage, temporary files and the digest file named by the environment.
     */
    static String buildScript(BuildSpec spec) {
        String context = "src" + (spec.subDir() == null ? "" : "/" + spec.subDir());
        List<String> bud = new ArrayList<>(List.of("bud", "--isolation", "chroot", "--layers",
                "-f", context + "/" + spec.dockerfile(), "-t", spec.imageRef()));
        new TreeMap<>(spec.buildArgs()).forEach((key, v) -> bud.addAll(List.of("--build-arg", key + "=" + v)));
        bud.add(context);
        String buildah = "buildah --root \"$STORAGE_ROOT\" --runroot \"$STORAGE_RUNROOT\" --storage-driver vfs";
        return "mkdir -p \"$TMPDIR\" \"$HOME\"\n"
                + buildah + " " + String.join(" ", bud.stream().map(BuildJobManifests::quote).toList()) + "\n"
                + buildah + " push --digestfile \"$DIGEST_FILE\" " + quote(spec.imageRef()) + " "
                + quote("docker://" + spec.imageRef()) + "\n";
    }

    /**
     * Fetches exactly one commit (shallow where the server allows it), with the token as an HTTP header or the
     * deploy key as the SSH identity, both read from the mounted Secret. Over SSH only the host keys in the
     * Secret's known_hosts (the source's own, or the key pinned when Berth first fetched) are accepted.
     */
    static final String CLONE_SCRIPT = """
            mkdir -p "$HOME"
            git init -q src && cd src
            if [ -f "$BERTH_SECRETS/git-token" ]; then
              auth=$(printf '%s:%s' "$(cat "$BERTH_SECRETS/git-username")" "$(cat "$BERTH_SECRETS/git-token")" | base64 | tr -d '\\n')
              set -- -c "http.extraHeader=Authorization: Basic $auth"
            fi
            export GIT_SSH_COMMAND="ssh -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$BERTH_SECRETS/ssh-known-hosts -o IdentitiesOnly=yes"
            if [ -f "$BERTH_SECRETS/ssh-key" ]; then
              cp "$BERTH_SECRETS/ssh-key" "$HOME/ssh-key" && chmod 600 "$HOME/ssh-key"
              GIT_SSH_COMMAND="$GIT_SSH_COMMAND -i $HOME/ssh-key"
            fi
            git "$@" fetch -q --depth 1 "$REPO_URL" "$COMMIT" || git "$@" fetch -q "$REPO_URL"
            git checkout -q "$COMMIT"
            echo "checked out $(git rev-parse HEAD)"
            """;

    /**
     * The clone runs as an unprivileged user. buildah unpacks image layers with their owners, so the build container
     * runs as uid 0 inside its user namespace, but never privileged, without privilege escalation and with only
     * the file-ownership capabilities that unpacking needs.
     */
    private static SecurityContext securityContext(boolean builder) {
        SecurityContextBuilder b = new SecurityContextBuilder().withPrivileged(false).withAllowPrivilegeEscalation(false);
        if (builder) {
            return b.withRunAsUser(0L).withNewCapabilities().withDrop("ALL")
                    .withAdd("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID").endCapabilities().build();
        }
        return b.withRunAsNonRoot(true).withRunAsUser(65532L).withNewCapabilities().withDrop("ALL").endCapabilities()
                .build();
    }

    private static io.fabric8.kubernetes.api.model.ResourceRequirements resources(BuildsConfig.Kubernetes k) {
        return new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity(k.cpuRequest())).addToRequests("memory", new Quantity(k.memoryRequest()))
                .addToLimits("cpu", new Quantity(k.cpuLimit())).addToLimits("memory", new Quantity(k.memoryLimit()))
                .build();
    }

    private static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\"'\"'") + "'";
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
