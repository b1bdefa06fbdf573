package dev.berth.it;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs a builder pod's containers on this machine, as the test kubelet's container runtime: the init containers,
 * then the containers, each as its own process with exactly the command and environment of the pod spec that the
 * API server accepted. Volumes are directories here (an emptyDir is an empty directory, a secret volume a directory
 * of the Secret's files), and where a mount path appears (working directory, environment values, the termination
 * message path) the directory stands in for it, as a mount would. The container's termination message is the file
 * at its terminationMessagePath, and its output goes to a log file per container. The pod's status (phases,
 * container states, exit codes and messages) is written as a kubelet would, so the Job controller of the real
 * controller-manager finishes the Job.
 */
final class BuilderPods {
    static final Duration SECRET_WAIT = Duration.ofSeconds(30);
    private final KubernetesClient client;
    private final Path root;

    BuilderPods(KubernetesClient client, Path root) {
        this.client = client;
        this.root = root;
    }

    static boolean isBuilder(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels != null && "build".equals(labels.get("app.kubernetes.io/component"))
                && "berth-builds".equals(labels.get("app.kubernetes.io/managed-by"));
    }

    /** The directory a pod's volumes and logs are in. */
    Path dir(Pod pod) {
        return root.resolve(pod.getMetadata().getNamespace()).resolve(pod.getMetadata().getName());
    }

    void run(Pod pod) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(dir(pod));
        Map<String, Path> volumes = volumes(pod, dir);
        List<ContainerStatus> inits = new ArrayList<>();
        for (Container c : pod.getSpec().getInitContainers()) {
            status(pod, "Pending", inits, List.of(), c.getName());
            ContainerStatus done = execute(c, volumes, dir);
            inits.add(done);
            if (done.getState().getTerminated().getExitCode() != 0) {
                status(pod, "Failed", inits, List.of(), null);
                return;
            }
        }
        List<ContainerStatus> mains = new ArrayList<>();
        boolean failed = false;
        for (Container c : pod.getSpec().getContainers()) {
            status(pod, "Running", inits, mains, c.getName());
            ContainerStatus done = execute(c, volumes, dir);
            mains.add(done);
            failed |= done.getState().getTerminated().getExitCode() != 0;
        }
        status(pod, failed ? "Failed" : "Succeeded", inits, mains, null);
    }

    /** Each volume as a directory: emptyDir empty, a secret volume with the Secret's keys as files. */
    private Map<String, Path> volumes(Pod pod, Path dir) throws IOException, InterruptedException {
        Map<String, Path> out = new LinkedHashMap<>();
        for (Volume v : pod.getSpec().getVolumes()) {
            Path d = Files.createDirectories(dir.resolve("volumes").resolve(v.getName()));
            if (v.getSecret() != null) {
                Secret s = secret(pod.getMetadata().getNamespace(), v.getSecret().getSecretName());
                for (Map.Entry<String, String> e : s.getData().entrySet()) {
                    Files.write(d.resolve(e.getKey()), Base64.getDecoder().decode(e.getValue()));
                }
            } else if (v.getEmptyDir() == null) {
                throw new IllegalStateException("volume " + v.getName() + ": only emptyDir and secret volumes run here");
            }
            out.put(v.getName(), d);
        }
        return out;
    }

    /** A kubelet waits for a pod's Secret to exist before it starts the pod's containers. */
    private Secret secret(String ns, String name) throws InterruptedException {
        Instant until = Instant.now().plus(SECRET_WAIT);
        while (Instant.now().isBefore(until)) {
            Secret s = client.secrets().inNamespace(ns).withName(name).get();
            if (s != null) {
                return s;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Secret " + ns + "/" + name + " did not appear");
    }

    private ContainerStatus execute(Container c, Map<String, Path> volumes, Path dir)
            throws IOException, InterruptedException {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (VolumeMount m : c.getVolumeMounts()) {
            Path host = volumes.get(m.getName());
            if (m.getSubPath() != null && !m.getSubPath().isEmpty()) {
                host = Files.createDirectories(host.resolve(m.getSubPath()));
            }
            mounts.put(m.getMountPath(), host.toString());
        }
        Path terminationLog = dir.resolve(c.getName() + ".termination-log");
        Files.deleteIfExists(terminationLog);
        String messagePath = c.getTerminationMessagePath() == null ? "/dev/termination-log" : c.getTerminationMessagePath();
        mounts.put(messagePath, terminationLog.toString());

        List<String> command = new ArrayList<>(c.getCommand());
        if (c.getArgs() != null) {
            command.addAll(c.getArgs());
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(c.getName() + ".log").toFile());
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv("PATH"));
        for (EnvVar e : c.getEnv()) {
            pb.environment().put(e.getName(), mounted(e.getValue(), mounts));
        }
        if (c.getWorkingDir() != null) {
            pb.directory(Path.of(mounted(c.getWorkingDir(), mounts)).toFile());
        }
        Instant started = Instant.now();
        Process p = pb.start();
        int code = p.waitFor();
        String message = Files.exists(terminationLog) ? Files.readString(terminationLog, StandardCharsets.UTF_8) : null;
        return new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withReady(false)
                .withRestartCount(0).withNewState().withNewTerminated().withExitCode(code)
                .withReason(code == 0 ? "Completed" : "Error").withMessage(message)
                .withStartedAt(started.toString()).withFinishedAt(Instant.now().toString()).endTerminated().endState()
                .build();
    }

    /** A path inside a mount, as the directory that stands in for the mount. */
    private static String mounted(String value, Map<String, String> mounts) {
        if (value == null) {
            return "";
        }
        return mounts.entrySet().stream().sorted(Comparator.comparing(e -> -e.getKey().length()))
                .filter(e -> value.equals(e.getKey()) || value.startsWith(e.getKey() + "/")).findFirst()
                .map(e -> e.getValue() + value.substring(e.getKey().length())).orElse(value);
    }

    private void status(Pod pod, String phase, List<ContainerStatus> inits, List<ContainerStatus> mains, String running) {
        List<ContainerStatus> initStatuses = new ArrayList<>(inits);
        List<ContainerStatus> mainStatuses = new ArrayList<>(mains);
        if (running != null) {
            ContainerStatus r = new ContainerStatusBuilder().withName(running).withReady(true).withRestartCount(0)
                    .withImage(Stream.concat(pod.getSpec().getInitContainers().stream(), pod.getSpec().getContainers().stream())
                            .filter(c -> c.getName().equals(running)).findFirst().orElseThrow().getImage())
                    .withNewState().withNewRunning().withStartedAt(Instant.now().toString()).endRunning().endState().build();
            (phase.equals("Pending") ? initStatuses : mainStatuses).add(r);
        }
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).editStatus(p -> {
            if (p.getStatus() == null) {
                p.setStatus(new io.fabric8.kubernetes.api.model.PodStatus());
            }
            p.getStatus().setPhase(phase);
            p.getStatus().setHostIP("127.0.0.1");
            p.getStatus().setPodIP("127.0.0.1");
            p.getStatus().setStartTime(p.getStatus().getStartTime() == null ? Instant.now().toString()
                    : p.getStatus().getStartTime());
            p.getStatus().setInitContainerStatuses(initStatuses);
            p.getStatus().setContainerStatuses(mainStatuses);
            return p;
        });
    }
}
