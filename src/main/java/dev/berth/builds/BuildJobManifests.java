package dev.berth.builds;

import dev.berth.kube.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The builder Job of one build, as pure functions of the build (tested against golden YAML). An init container
 * fetches exactly the build's commit; the build container runs buildah (chroot isolation, vfs storage, no
 * privileged mode, no service account token) and writes the pushed digest to its termination message, where the
 * executor reads it. Credentials come from a per-build Secret, mounted as files, never in the pod spec.
 */
public final class BuildJobManifests {
    static final String WORKSPACE = "/workspace";
    static final String SECRETS = "/berth-secrets";

    private BuildJobManifests() {
    }

    public static String name(String tenant, String app, int number) {
        String base = "build-" + tenant + "-" + app;
        base = base.length() > 50 ? base.substring(0, 50) : base;
        return base.replaceAll("-+$", "") + "-" + number;
    }

    static Map<String, String> labels(String tenant, String app, int number) {
        Map<String, String> l = new TreeMap<>();
        // Not "berth": the reconcilers own every object labelled so and would remove what they did not desire.
        l.put(Labels.MANAGED_BY, "berth-builds");
        l.put("app.kubernetes.io/component", "build");
        l.put(Labels.TENANT, tenant);
        l.put(Labels.APP, app);
        l.put("berth.dev/build", Integer.toString(number));
        return l;
    }

    /** The per-build Secret: Git credentials (token or SSH key), SSH known_hosts and the registry auth file. */
    public static Secret secret(BuildSpec spec, String namespace, String registryAuthJson) {
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
        return new SecretBuilder().withNewMetadata().withName(name(spec.tenant(), spec.app(), spec.number()))
                .withNamespace(namespace).withLabels(labels(spec.tenant(), spec.app(), spec.number())).endMetadata()
                .withType("Opaque").withData(data).build();
    }

    public static Job job(BuildSpec spec, BuildsConfig.Kubernetes k, long timeoutSeconds) {
        String name = name(spec.tenant(), spec.app(), spec.number());
        String context = WORKSPACE + "/src" + (spec.subDir() == null ? "" : "/" + spec.subDir());
        List<String> bud = new ArrayList<>(List.of("buildah", "bud", "--isolation", "chroot", "--storage-driver", "vfs",
                "--layers", "-f", context + "/" + spec.dockerfile(), "-t", spec.imageRef()));
        new TreeMap<>(spec.buildArgs()).forEach((key, v) -> bud.addAll(List.of("--build-arg", key + "=" + v)));
        bud.add(context);
        String build = String.join(" ", bud.stream().map(BuildJobManifests::quote).toList())
                + " && buildah push --storage-driver vfs --digestfile /dev/termination-log " + quote(spec.imageRef())
                + " " + quote("docker://" + spec.imageRef());
        Container clone = new ContainerBuilder().withName("clone").withImage(k.gitImage())
                .withCommand("sh", "-ec", CLONE_SCRIPT)
                .withEnv(env("REPO_URL", spec.repoUrl()), env("COMMIT", spec.commitSha()), env("HOME", "/tmp"))
                .withWorkingDir(WORKSPACE).withSecurityContext(securityContext(false))
                .withResources(resources(k)).addNewVolumeMount().withName("workspace").withMountPath(WORKSPACE)
                .endVolumeMount().addNewVolumeMount().withName("secrets").withMountPath(SECRETS).withReadOnly(true)
                .endVolumeMount().build();
        Container builder = new ContainerBuilder().withName("build").withImage(k.builderImage())
                .withCommand("sh", "-ec", build)
                .withEnv(env("STORAGE_DRIVER", "vfs"), env("BUILDAH_ISOLATION", "chroot"),
                        env("REGISTRY_AUTH_FILE", SECRETS + "/auth.json"), env("HOME", "/tmp"))
                .withWorkingDir(WORKSPACE).withSecurityContext(securityContext(true))
                .withTerminationMessagePolicy("File").withResources(resources(k))
                .addNewVolumeMount().withName("workspace").withMountPath(WORKSPACE).endVolumeMount()
                .addNewVolumeMount().withName("workspace").withMountPath("/var/lib/containers").withSubPath("storage")
                .endVolumeMount().addNewVolumeMount().withName("secrets").withMountPath(SECRETS).withReadOnly(true)
                .endVolumeMount().build();
        return new JobBuilder().withNewMetadata().withName(name).withNamespace(k.namespace())
                .withLabels(labels(spec.tenant(), spec.app(), spec.number())).endMetadata()
                .withNewSpec().withBackoffLimit(0).withActiveDeadlineSeconds(timeoutSeconds)
                .withTtlSecondsAfterFinished(600)
                .withNewTemplate().withNewMetadata().withLabels(labels(spec.tenant(), spec.app(), spec.number()))
                .endMetadata().withNewSpec().withRestartPolicy("Never").withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
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
     * Fetches exactly one commit (shallow where the server allows it), with the token as an HTTP header or the
     * deploy key as the SSH identity, both read from the mounted Secret. Over SSH only the host keys in the
     * Secret's known_hosts (the source's own, or the key pinned when Berth first fetched) are accepted.
     */
    static final String CLONE_SCRIPT = """
            git init -q src && cd src
            if [ -f /berth-secrets/git-token ]; then
              auth=$(printf '%s:%s' "$(cat /berth-secrets/git-username)" "$(cat /berth-secrets/git-token)" | base64 | tr -d '\\n')
              set -- -c "http.extraHeader=Authorization: Basic $auth"
            fi
            export GIT_SSH_COMMAND="ssh -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/berth-secrets/ssh-known-hosts -o IdentitiesOnly=yes"
            if [ -f /berth-secrets/ssh-key ]; then
              cp /berth-secrets/ssh-key /tmp/ssh-key && chmod 600 /tmp/ssh-key
              GIT_SSH_COMMAND="$GIT_SSH_COMMAND -i /tmp/ssh-key"
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
