package dev.berth.regions;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The kubelet's decisions on a pod's app container, in the kubelet's order, with its reasons and messages. */
class KubeletRulesTest {
    private static final String ROOT = "registry.test/t/root:1";
    private static final String NON_ROOT = "registry.test/t/nonroot:1";
    private static final Map<String, ImageFacts> IMAGES = Map.of(
            ROOT, ImageFacts.found("", Set.of()),
            "registry.test/t/uid0:1", ImageFacts.found("0:0", Set.of()),
            "registry.test/t/named-root:1", ImageFacts.found("root", Set.of()),
            "registry.test/t/named:1", ImageFacts.found("nginx:nginx", Set.of()),
            NON_ROOT, ImageFacts.found("65532:65532", Set.of("8080/tcp")),
            "registry.test/t/crash:1", ImageFacts.found("1000", Set.of()),
            "registry.test/t/crash-root:1", ImageFacts.found("", Set.of()),
            "registry.test/t/never-ready:1", ImageFacts.found("1000", Set.of()),
            "registry.test/t/gone-crash:1", ImageFacts.missing());
    private final KubeletRules rules = new KubeletRules(image -> IMAGES.getOrDefault(image,
            image.startsWith("registry.test/") ? ImageFacts.missing() : ImageFacts.unknown()));

    /** A pod as Berth writes it: runAsNonRoot on the pod and the container, no runAsUser. */
    private static PodSpec berthPod(String image) {
        return new PodSpecBuilder().withNewSecurityContext().withRunAsNonRoot(true).endSecurityContext()
                .addNewContainer().withName("app").withImage(image)
                .withNewSecurityContext().withRunAsNonRoot(true).withAllowPrivilegeEscalation(false).endSecurityContext()
                .endContainer().build();
    }

    private static PodSpec plainPod(String image) {
        return new PodSpecBuilder().addNewContainer().withName("app").withImage(image).endContainer().build();
    }

    private static Pod pod(PodSpec spec) {
        return new PodBuilder().withNewMetadata().withName("web-5d8f-abcde").withNamespace("berth-t").withUid("u-1")
                .endMetadata().withSpec(spec).build();
    }

    @Test
    void anImageMissingFromItsRegistryCannotBePulledWhateverElseHolds() {
        KubeletRules.Outcome o = rules.decide(berthPod("registry.test/t/gone-crash:1"));
        assertThat(o).isInstanceOf(KubeletRules.PullError.class);
        assertThat(o.reason()).isEqualTo("ImagePullBackOff");
        assertThat(o.message()).startsWith("Back-off pulling image \"registry.test/t/gone-crash:1\"").contains("not found");
        KubeletRules.PullError first = ((KubeletRules.PullError) o).firstAttempt();
        assertThat(first.reason()).isEqualTo("ErrImagePull");
        assertThat(first.message()).contains("failed to pull and unpack image \"registry.test/t/gone-crash:1\"")
                .endsWith("registry.test/t/gone-crash:1: not found");
        assertThat(rules.decide(plainPod("registry.test/t/other:1"))).isInstanceOf(KubeletRules.PullError.class);
    }

    @Test
    void underRunAsNonRootAnImageWithoutUserOrWithUidZeroWillRunAsRootAndIsRefused() {
        for (String image : new String[] {ROOT, "registry.test/t/uid0:1", "registry.test/t/crash-root:1"}) {
            KubeletRules.Outcome o = rules.decide(berthPod(image));
            assertThat(o).as(image).isEqualTo(new KubeletRules.ConfigError("container has runAsNonRoot and image will run as root"));
            assertThat(o.reason()).isEqualTo("CreateContainerConfigError");
        }
    }

    @Test
    void underRunAsNonRootAUserNameCannotBeVerifiedEvenRoot() {
        assertThat(rules.decide(berthPod("registry.test/t/named:1")).message()).isEqualTo(
                "container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root");
        // The kubelet does not resolve names, "root" included: it says it cannot verify, not that it is root.
        assertThat(rules.decide(berthPod("registry.test/t/named-root:1")).message()).isEqualTo(
                "container has runAsNonRoot and image has non-numeric user (root), cannot verify user is non-root");
    }

    @Test
    void aNumericNonRootUserStartsAndWithoutRunAsNonRootRootStartsToo() {
        assertThat(rules.decide(berthPod(NON_ROOT))).isInstanceOf(KubeletRules.Ready.class);
        assertThat(rules.decide(plainPod(ROOT))).isInstanceOf(KubeletRules.Ready.class);
        assertThat(rules.decide(plainPod("registry.test/t/named:1"))).isInstanceOf(KubeletRules.Ready.class);
    }

    @Test
    void theContainersSecurityContextOverridesThePods() {
        PodSpec podSaysNonRootContainerAllowsRoot = berthPod(ROOT);
        podSaysNonRootContainerAllowsRoot.getContainers().get(0).getSecurityContext().setRunAsNonRoot(false);
        assertThat(rules.decide(podSaysNonRootContainerAllowsRoot)).isInstanceOf(KubeletRules.Ready.class);

        PodSpec onlyThePodSaysNonRoot = berthPod(ROOT);
        onlyThePodSaysNonRoot.getContainers().get(0).setSecurityContext(null);
        assertThat(rules.decide(onlyThePodSaysNonRoot)).isInstanceOf(KubeletRules.ConfigError.class);

        PodSpec podUserRootContainerUser = berthPod(ROOT);
        podUserRootContainerUser.getSecurityContext().setRunAsUser(0L);
        podUserRootContainerUser.getContainers().get(0).getSecurityContext().setRunAsUser(1000L);
        assertThat(rules.decide(podUserRootContainerUser)).isInstanceOf(KubeletRules.Ready.class);
    }

    @Test
    void aGivenRunAsUserIsCheckedInsteadOfTheImagesUser() {
        PodSpec asUser = berthPod(ROOT);
        asUser.getSecurityContext().setRunAsUser(1000L);
        assertThat(rules.decide(asUser)).isInstanceOf(KubeletRules.Ready.class);
        PodSpec asNamed = berthPod("registry.test/t/named:1");
        asNamed.getContainers().get(0).getSecurityContext().setRunAsUser(1000L);
        assertThat(rules.decide(asNamed)).isInstanceOf(KubeletRules.Ready.class);
        PodSpec asRoot = berthPod(NON_ROOT);
        asRoot.getContainers().get(0).getSecurityContext().setRunAsUser(0L);
        assertThat(rules.decide(asRoot)).isEqualTo(new KubeletRules.ConfigError("container's runAsUser breaks non-root policy"));
    }

    @Test
    void theSandboxNamesComeAfterTheKubeletsChecks() {
        KubeletRules.Outcome crash = rules.decide(berthPod("registry.test/t/crash:1"));
        assertThat(crash).isEqualTo(new KubeletRules.CrashLoop(3, "the app exited with status 1"));
        assertThat(crash.reason()).isEqualTo("CrashLoopBackOff");
        assertThat(rules.decide(berthPod("registry.test/t/never-ready:1"))).isInstanceOf(KubeletRules.NeverReady.class);
        assertThat(rules.decide(berthPod("registry.test/t/crash-root:1"))).isInstanceOf(KubeletRules.ConfigError.class);
    }

    @Test
    void anImageNobodyCouldLookUpRunsWithItsUserUnchecked() {
        assertThat(rules.decide(berthPod("registry.example.com/team/web:1.4"))).isInstanceOf(KubeletRules.Ready.class);
        assertThat(rules.decide(berthPod("registry.example.com/team/crash:1"))).isInstanceOf(KubeletRules.CrashLoop.class);
        assertThat(rules.decide(berthPod("registry.example.com/team/web-never-ready:2")))
                .isInstanceOf(KubeletRules.NeverReady.class);
    }

    @Test
    void aJobsPodRunsToItsEndWithTheExitCodeItsCommandSays() {
        PodSpec three = berthPod(NON_ROOT);
        three.setRestartPolicy("Never");
        three.getContainers().get(0).setCommand(List.of("sh", "-c", "echo migrating; exit 3"));
        Pod pod = pod(three);
        KubeletRules.Outcome outcome = rules.decide(pod.getSpec());
        assertThat(outcome).isEqualTo(new KubeletRules.Exited(3));
        PodStatus s = rules.status(pod, outcome, Instant.parse("2026-12-01T10:00:00Z"), "10.244.0.8");
        assertThat(s.getPhase()).isEqualTo("Failed");
        assertThat(conditions(s)).containsEntry("Ready", "False").containsEntry("PodScheduled", "True");
        var ended = s.getContainerStatuses().get(0).getState().getTerminated();
        assertThat(ended.getExitCode()).isEqualTo(3);
        assertThat(ended.getReason()).isEqualTo("Error");

        PodSpec other = berthPod(NON_ROOT);
        other.setRestartPolicy("Never");
        other.getContainers().get(0).setCommand(List.of("bin/migrate"));
        KubeletRules.Outcome zero = rules.decide(other);
        assertThat(zero).isEqualTo(new KubeletRules.Exited(0));
        assertThat(rules.status(pod(other), zero, Instant.now(), "10.244.0.9").getPhase()).isEqualTo("Succeeded");
        // A Deployment's pod (restartPolicy Always, the default) keeps running whatever its command says.
        PodSpec worker = berthPod(NON_ROOT);
        worker.getContainers().get(0).setCommand(List.of("sh", "-c", "exit 3"));
        assertThat(rules.decide(worker)).isInstanceOf(KubeletRules.Ready.class);
        // The pull and runAsNonRoot checks come first, as for any pod.
        PodSpec missing = berthPod("registry.test/t/gone:1");
        missing.setRestartPolicy("Never");
        assertThat(rules.decide(missing)).isInstanceOf(KubeletRules.PullError.class);
    }

    @Test
    void aReadyPodRunsWithEveryConditionTrue() {
        Pod pod = pod(berthPod(NON_ROOT));
        PodStatus s = rules.status(pod, rules.decide(pod.getSpec()), Instant.parse("2026-12-01T10:00:00Z"), "10.244.0.7");
        assertThat(s.getPhase()).isEqualTo("Running");
        assertThat(s.getPodIP()).isEqualTo("10.244.0.7");
        assertThat(s.getStartTime()).isEqualTo("2026-12-01T10:00:00Z");
        assertThat(conditions(s)).containsEntry("Ready", "True").containsEntry("ContainersReady", "True")
                .containsEntry("PodScheduled", "True");
        ContainerStatus c = s.getContainerStatuses().get(0);
        assertThat(c.getName()).isEqualTo("app");
        assertThat(c.getImage()).isEqualTo(NON_ROOT);
        assertThat(c.getReady()).isTrue();
        assertThat(c.getRestartCount()).isZero();
        assertThat(c.getState().getRunning().getStartedAt()).isEqualTo("2026-12-01T10:00:00Z");
    }

    @Test
    void aRootImageLeavesThePodPendingWithTheKubeletsMessageNamingPodAndContainer() {
        Pod pod = pod(berthPod(ROOT));
        KubeletRules.Outcome o = rules.decide(pod.getSpec());
        PodStatus s = rules.status(pod, o, Instant.parse("2026-12-01T10:00:00Z"), "10.244.0.8");
        assertThat(s.getPhase()).isEqualTo("Pending");
        assertThat(conditions(s)).containsEntry("Ready", "False").containsEntry("ContainersReady", "False")
                .containsEntry("PodScheduled", "True");
        assertThat(s.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow()
                .getMessage()).isEqualTo("containers with unready status: [app]");
        ContainerStatus c = s.getContainerStatuses().get(0);
        assertThat(c.getReady()).isFalse();
        assertThat(c.getState().getWaiting().getReason()).isEqualTo("CreateContainerConfigError");
        String message = "container has runAsNonRoot and image will run as root (pod: \"web-5d8f-abcde_berth-t(u-1)\", "
                + "container: app)";
        assertThat(c.getState().getWaiting().getMessage()).isEqualTo(message);
        assertThat(rules.events(pod, o)).containsExactly(new KubeletRules.Event("Warning", "Failed", "Error: " + message));
    }

    @Test
    void aMissingImageBacksOffPullingWithTheKubeletsEvents() {
        Pod pod = pod(berthPod("registry.test/t/absent:2"));
        KubeletRules.Outcome o = rules.decide(pod.getSpec());
        PodStatus s = rules.status(pod, o, Instant.now(), "10.244.0.9");
        assertThat(s.getPhase()).isEqualTo("Pending");
        assertThat(s.getContainerStatuses().get(0).getState().getWaiting().getReason()).isEqualTo("ImagePullBackOff");
        assertThat(s.getContainerStatuses().get(0).getState().getWaiting().getMessage())
                .startsWith("Back-off pulling image \"registry.test/t/absent:2\": ErrImagePull: ").endsWith("not found");
        assertThat(rules.events(pod, o)).extracting(KubeletRules.Event::reason)
                .containsExactly("Pulling", "Failed", "Failed", "BackOff", "Failed");
        assertThat(rules.events(pod, o).get(1).message()).startsWith("Failed to pull image \"registry.test/t/absent:2\": ")
                .endsWith("not found");
        assertThat(rules.events(pod, o).get(4).message()).isEqualTo("Error: ImagePullBackOff");
    }

    @Test
    void aCrashLoopRunsWithRestartsTheLastTerminationAndABackOff() {
        Pod pod = pod(berthPod("registry.test/t/crash:1"));
        KubeletRules.Outcome o = rules.decide(pod.getSpec());
        PodStatus s = rules.status(pod, o, Instant.now(), "10.244.0.10");
        assertThat(s.getPhase()).isEqualTo("Running");
        ContainerStatus c = s.getContainerStatuses().get(0);
        assertThat(c.getRestartCount()).isEqualTo(3);
        assertThat(c.getReady()).isFalse();
        assertThat(c.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
        assertThat(c.getState().getWaiting().getMessage())
                .isEqualTo("back-off 40s restarting failed container=app pod=web-5d8f-abcde_berth-t(u-1)");
        assertThat(c.getLastState().getTerminated().getExitCode()).isEqualTo(1);
        assertThat(c.getLastState().getTerminated().getMessage()).isEqualTo("the app exited with status 1");
        assertThat(rules.events(pod, o)).contains(new KubeletRules.Event("Warning", "BackOff",
                "Back-off restarting failed container app in pod web-5d8f-abcde_berth-t(u-1)"));
        assertThat(KubeletRules.backOff(1)).isEqualTo("10s");
        assertThat(KubeletRules.backOff(5)).isEqualTo("2m40s");
        assertThat(KubeletRules.backOff(9)).isEqualTo("5m0s");
    }

    @Test
    void aPodThatNeverGetsReadyRunsAndReportsItsFailingProbe() {
        Pod pod = pod(berthPod("registry.test/t/never-ready:1"));
        KubeletRules.Outcome o = rules.decide(pod.getSpec());
        PodStatus s = rules.status(pod, o, Instant.now(), "10.244.0.11");
        assertThat(s.getPhase()).isEqualTo("Running");
        assertThat(conditions(s)).containsEntry("Ready", "False");
        assertThat(s.getContainerStatuses().get(0).getState().getRunning()).isNotNull();
        assertThat(rules.events(pod, o)).contains(new KubeletRules.Event("Warning", "Unhealthy",
                "Readiness probe failed: HTTP probe failed with statuscode: 503"));
    }

    private static Map<String, String> conditions(PodStatus s) {
        return s.getConditions().stream().collect(java.util.stream.Collectors.toMap(PodCondition::getType,
                PodCondition::getStatus));
    }
}
