package dev.berth.regions;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a kubelet would make of a pod's app container, as one set of rules for every stand-in kubelet Berth has:
 * the sandbox's {@link SimulatedKubelet} and the test kubelet that runs against a real API server. Both must show
 * the same failures a real cluster shows, with the kubelet's own reasons and messages, so that what Berth reads
 * from pods (app status, rollout problems) is proven on the shapes a real cluster writes.
 *
 * <p>The rules, in the order a kubelet applies them:
 * <ol>
 * <li>The image is missing in its registry: the pull fails ({@code ErrImagePull}, then {@code ImagePullBackOff}).
 * <li>{@code runAsNonRoot: true} (container security context over the pod's): with a {@code runAsUser}, that uid
 * must not be 0; without one, the image's user must be a numeric uid other than 0. No user or uid 0 gives
 * {@code CreateContainerConfigError} "container has runAsNonRoot and image will run as root"; a user name (also
 * {@code root}: the kubelet does not resolve names) gives "... image has non-numeric user (name), cannot verify user
 * is non-root".
 * <li>The sandbox's naming conventions: an image reference containing {@code crash} crash-loops, one containing
 * {@code never-ready} runs but never passes readiness; everything else becomes ready.
 * </ol>
 *
 * <p><b>Sandbox simplification:</b> an image whose facts are {@link ImageFacts.Availability#UNKNOWN} (its registry
 * is not Berth's own, or did not answer, as for the example images {@code registry.example.com/...}) counts as
 * pulled, with an unknown user: the runAsNonRoot check is skipped for it. A real kubelet would fail to pull it or
 * check its real user.
 */
public final class KubeletRules {
    /** Reasons a kubelet writes on a waiting container. */
    public static final String CONFIG_ERROR = "CreateContainerConfigError";
    public static final String ERR_IMAGE_PULL = "ErrImagePull";
    public static final String IMAGE_PULL_BACK_OFF = "ImagePullBackOff";
    public static final String CRASH_LOOP_BACK_OFF = "CrashLoopBackOff";
    /** The kubelet's runAsNonRoot refusals (it appends which pod and container). */
    public static final String RUNS_AS_ROOT = "container has runAsNonRoot and image will run as root";
    public static final String RUN_AS_USER_ROOT = "container's runAsUser breaks non-root policy";
    static final String READINESS_FAILED = "Readiness probe failed: HTTP probe failed with statuscode: 503";
    static final int CRASH_RESTARTS = 3;

    private final ImageInspector images;

    public KubeletRules(ImageInspector images) {
        this.images = images;
    }

    /** What became of the app container; {@link #reason()} and {@link #message()} are null while it runs fine. */
    public sealed interface Outcome permits Ready, NeverReady, CrashLoop, ConfigError, PullError, Exited {
        /** Whether the container's process is running (it may still not be ready). */
        boolean running();

        /** The reason a kubelet gives for the container's state (waiting reason, or the probe's), or null. */
        String reason();

        /** The kubelet's message for it, without the pod and container it appends; null when there is none. */
        String message();
    }

    /** Runs and passes readiness. */
    public record Ready() implements Outcome {
        public boolean running() {
            return true;
        }

        public String reason() {
            return null;
        }

        public String message() {
            return null;
        }
    }

    /** Runs, but its readiness probe keeps failing: the pod never gets traffic. */
    public record NeverReady(String message) implements Outcome {
        public boolean running() {
            return true;
        }

        public String reason() {
            return "Unhealthy";
        }
    }

    /** Starts and exits again and again; {@code lastMessage} is what its last termination said. */
    public record CrashLoop(int restartCount, String lastMessage) implements Outcome {
        public boolean running() {
            return false;
        }

        public String reason() {
            return CRASH_LOOP_BACK_OFF;
        }

        public String message() {
            return "back-off " + backOff(restartCount) + " restarting failed container";
        }
    }

    /** The container cannot be created; the kubelet says why ({@code CreateContainerConfigError}). */
    public record ConfigError(String message) implements Outcome {
        public boolean running() {
            return false;
        }

        public String reason() {
            return CONFIG_ERROR;
        }
    }

    /**
     * The image cannot be pulled: {@code cause} is what the runtime reported. {@code backOff} is the state the
     * kubelet settles in after the first failed pull ({@code ImagePullBackOff}); without it, the first failure
     * ({@code ErrImagePull}).
     */
    public record PullError(String image, String cause, boolean backOff) implements Outcome {
        public boolean running() {
            return false;
        }

        public String reason() {
            return backOff ? IMAGE_PULL_BACK_OFF : ERR_IMAGE_PULL;
        }

        public String message() {
            return backOff ? "Back-off pulling image \"" + image + "\": ErrImagePull: " + cause : cause;
        }

        /** The same error as the kubelet reports it on the first, failed pull. */
        public PullError firstAttempt() {
            return new PullError(image, cause, false);
        }
    }

    /**
     * The container ran to its end with {@code exitCode} (a Job's pod, which is never restarted): terminated with
     * reason {@code Completed} (0) or {@code Error}, the pod {@code Succeeded} or {@code Failed}.
     */
    public record Exited(int exitCode) implements Outcome {
        public boolean running() {
            return false;
        }

        public String reason() {
            return exitCode == 0 ? "Completed" : "Error";
        }

        public String message() {
            return null;
        }
    }

    /** The outcome for the pod's first container (the app container). */
    public Outcome decide(PodSpec spec) {
        Container app = spec.getContainers().get(0);
        String image = app.getImage() == null ? "" : app.getImage();
        ImageFacts facts = images.inspect(image);
        if (facts.availability() == ImageFacts.Availability.MISSING) {
            return new PullError(image, "rpc error: code = NotFound desc = failed to pull and unpack image \"" + image
                    + "\": failed to resolve reference \"" + image + "\": " + image + ": not found", true);
        }
        String refused = nonRootRefusal(spec.getSecurityContext(), app.getSecurityContext(), facts);
        if (refused != null) {
            return new ConfigError(refused);
        }
        if (!"Always".equals(spec.getRestartPolicy() == null ? "Always" : spec.getRestartPolicy())) {
            return new Exited(exitCode(app));
        }
        if (image.contains("crash")) {
            return new CrashLoop(CRASH_RESTARTS, "the app exited with status 1");
        }
        if (image.contains("never-ready")) {
            return new NeverReady(READINESS_FAILED);
        }
        return new Ready();
    }

    /**
     * The exit code of a container that runs to its end (a Job's pod): its command's last word is the convention,
     * {@code exit N} (as in {@code ["sh", "-c", "exit 3"]}) ends with N; any other command ends with 0.
     */
    static int exitCode(Container c) {
        List<String> argv = new ArrayList<>();
        if (c.getCommand() != null) {
            argv.addAll(c.getCommand());
        }
        if (c.getArgs() != null) {
            argv.addAll(c.getArgs());
        }
        if (argv.isEmpty()) {
            return 0;
        }
        java.util.regex.Matcher m = EXIT.matcher(argv.get(argv.size() - 1).trim());
        return m.matches() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static final java.util.regex.Pattern EXIT = java.util.regex.Pattern.compile("(?:.*;\\s*)?exit (\\d{1,3})");

    /** The kubelet's verifyRunAsNonRoot: null when the container may start. */
    static String nonRootRefusal(PodSecurityContext pod, SecurityContext container, ImageFacts facts) {
        Boolean nonRoot = container != null && container.getRunAsNonRoot() != null ? container.getRunAsNonRoot()
                : pod == null ? null : pod.getRunAsNonRoot();
        if (!Boolean.TRUE.equals(nonRoot)) {
            return null;
        }
        Long runAsUser = container != null && container.getRunAsUser() != null ? container.getRunAsUser()
                : pod == null ? null : pod.getRunAsUser();
        if (runAsUser != null) {
            return runAsUser == 0 ? RUN_AS_USER_ROOT : null;
        }
        if (facts.availability() != ImageFacts.Availability.FOUND) {
            return null; // the sandbox simplification: unknown user, not checked
        }
        String user = facts.user() == null ? "" : facts.user().trim();
        String uid = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
        if (uid.isEmpty()) {
            return RUNS_AS_ROOT;
        }
        if (!uid.chars().allMatch(Character::isDigit)) {
            return "container has runAsNonRoot and image has non-numeric user (" + uid + "), cannot verify user is non-root";
        }
        return uid.chars().allMatch(c -> c == '0') ? RUNS_AS_ROOT : null;
    }

    /**
     * The pod status a kubelet would write for that outcome: phase, Ready/ContainersReady/PodScheduled conditions,
     * containerStatuses (state waiting/running/terminated with reason and message, restartCount, ready, image),
     * podIP, startTime. Containers after the first run and are ready.
     */
    public PodStatus status(Pod pod, Outcome outcome, Instant now, String podIp) {
        String at = now.toString();
        List<ContainerStatus> containers = new ArrayList<>();
        List<Container> specs = pod.getSpec().getContainers();
        for (int i = 0; i < specs.size(); i++) {
            containers.add(container(pod, specs.get(i), i == 0 ? outcome : new Ready(), at));
        }
        boolean ready = containers.stream().allMatch(ContainerStatus::getReady);
        String unready = containers.stream().filter(c -> !c.getReady()).map(ContainerStatus::getName).toList().toString()
                .replace(", ", " ");
        if (outcome instanceof Exited exited) {
            return new PodStatusBuilder().withPhase(exited.exitCode() == 0 ? "Succeeded" : "Failed")
                    .withConditions(condition("Initialized", true, at, null),
                            terminated("Ready", at), terminated("ContainersReady", at),
                            condition("PodScheduled", true, at, null))
                    .withContainerStatuses(containers)
                    .withPodIP(podIp).addNewPodIP(podIp)
                    .withStartTime(at).build();
        }
        return new PodStatusBuilder()
                .withPhase(outcome.running() || outcome instanceof CrashLoop ? "Running" : "Pending")
                .withConditions(condition("Initialized", true, at, null),
                        condition("Ready", ready, at, unready), condition("ContainersReady", ready, at, unready),
                        condition("PodScheduled", true, at, null))
                .withContainerStatuses(containers)
                .withPodIP(podIp).addNewPodIP(podIp)
                .withStartTime(at).build();
    }

    /** Ready and ContainersReady of a pod whose containers all ended, as the kubelet writes them. */
    private static PodCondition terminated(String type, String at) {
        return new PodConditionBuilder().withType(type).withStatus("False").withLastTransitionTime(at)
                .withReason("PodCompleted").build();
    }

    private static PodCondition condition(String type, boolean status, String at, String unready) {
        PodConditionBuilder c = new PodConditionBuilder().withType(type).withStatus(status ? "True" : "False")
                .withLastTransitionTime(at);
        if (!status) {
            c.withReason("ContainersNotReady").withMessage("containers with unready status: " + unready);
        }
        return c.build();
    }

    private static ContainerStatus container(Pod pod, Container spec, Outcome outcome, String at) {
        ContainerStatusBuilder s = new ContainerStatusBuilder().withName(spec.getName()).withImage(spec.getImage())
                .withImageID(outcome instanceof PullError || outcome instanceof ConfigError ? "" : spec.getImage())
                .withReady(outcome instanceof Ready).withStarted(outcome.running())
                .withRestartCount(outcome instanceof CrashLoop crash ? crash.restartCount() : 0);
        if (outcome instanceof Exited exited) {
            s.withState(new ContainerStateBuilder().withNewTerminated().withExitCode(exited.exitCode())
                    .withReason(exited.reason()).withStartedAt(at).withFinishedAt(at).endTerminated().build());
        } else if (outcome.running()) {
            s.withState(new ContainerStateBuilder().withNewRunning().withStartedAt(at).endRunning().build());
        } else {
            s.withState(new ContainerStateBuilder().withNewWaiting().withReason(outcome.reason())
                    .withMessage(containerMessage(pod, spec.getName(), outcome)).endWaiting().build());
        }
        if (outcome instanceof CrashLoop crash) {
            s.withLastState(new ContainerStateBuilder().withNewTerminated().withExitCode(1).withReason("Error")
                    .withMessage(crash.lastMessage()).withStartedAt(at).withFinishedAt(at).endTerminated().build());
        }
        return s.build();
    }

    /** The message as the kubelet writes it on the container status, naming the pod and container where it does. */
    static String containerMessage(Pod pod, String container, Outcome outcome) {
        if (outcome instanceof ConfigError) {
            return outcome.message() + " (pod: \"" + podName(pod) + "\", container: " + container + ")";
        }
        if (outcome instanceof CrashLoop) {
            return outcome.message() + "=" + container + " pod=" + podName(pod);
        }
        return outcome.message();
    }

    /**
     * The events a kubelet records on the pod for that outcome (after the scheduler's {@code Scheduled}): type,
     * reason and message, in order.
     */
    public List<Event> events(Pod pod, Outcome outcome) {
        String c = pod.getSpec().getContainers().get(0).getName();
        String detail = containerMessage(pod, c, outcome);
        if (outcome instanceof PullError pull) {
            return List.of(new Event("Normal", "Pulling", "Pulling image \"" + pull.image() + "\""),
                    new Event("Warning", "Failed", "Failed to pull image \"" + pull.image() + "\": " + pull.cause()),
                    new Event("Warning", "Failed", "Error: " + ERR_IMAGE_PULL),
                    new Event("Normal", "BackOff", "Back-off pulling image \"" + pull.image() + "\""),
                    new Event("Warning", "Failed", "Error: " + IMAGE_PULL_BACK_OFF));
        }
        if (outcome instanceof ConfigError) {
            return List.of(new Event("Warning", "Failed", "Error: " + detail));
        }
        if (outcome instanceof CrashLoop) {
            return List.of(new Event("Normal", "Started", "Started container " + c),
                    new Event("Warning", "BackOff", "Back-off restarting failed container " + c + " in pod " + podName(pod)));
        }
        if (outcome instanceof NeverReady never) {
            return List.of(new Event("Normal", "Started", "Started container " + c),
                    new Event("Warning", "Unhealthy", never.message()));
        }
        return List.of(new Event("Normal", "Started", "Started container " + c));
    }

    /** One event a kubelet records: {@code Normal} or {@code Warning}, its reason and message. */
    public record Event(String type, String reason, String message) {
        /** This event as the kubelet on {@code node} records it about the pod. */
        public io.fabric8.kubernetes.api.model.Event about(Pod pod, String node, Instant now) {
            String ns = pod.getMetadata().getNamespace();
            return new io.fabric8.kubernetes.api.model.EventBuilder()
                    .withNewMetadata().withName(pod.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()))
                    .withNamespace(ns).endMetadata()
                    .withInvolvedObject(new io.fabric8.kubernetes.api.model.ObjectReferenceBuilder().withKind("Pod")
                            .withNamespace(ns).withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid())
                            .build())
                    .withReason(reason).withMessage(message).withType(type).withCount(1)
                    .withNewSource().withComponent("kubelet").withHost(node).endSource()
                    .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString()).build();
        }
    }

    /** The kubelet's name for a pod in messages: {@code name_namespace(uid)}. */
    static String podName(Pod pod) {
        var m = pod.getMetadata();
        return m.getName() + "_" + m.getNamespace() + "(" + (m.getUid() == null ? "" : m.getUid()) + ")";
    }

    /** The kubelet's crash-loop back-off after that many restarts: 10 s doubling, at most 5 minutes, as Go prints it. */
    static String backOff(int restarts) {
        long seconds = Math.min(300, 10L << Math.max(0, Math.min(restarts - 1, 5)));
        return seconds < 60 ? seconds + "s" : seconds / 60 + "m" + seconds % 60 + "s";
    }
}
