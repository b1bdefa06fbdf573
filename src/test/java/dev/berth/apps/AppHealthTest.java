package dev.berth.apps;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each state of the status model from the pod, Deployment and event data a cluster reports. */
class AppHealthTest {
    private static final String QUOTA = "pods \"web-5d8f7c-x2\" is forbidden: exceeded quota: berth-quota, "
            + "requested: pods=1, used: pods=1, limited: pods=1";

    @Test
    void allReadyPodsOfTheCurrentTemplateAreRunning() {
        AppHealth.Health h = AppHealth.of("web", 2, deployment(2, 2), List.of(ready("web-a"), ready("web-b")), List.of());
        assertThat(h.state()).isEqualTo("Running");
        assertThat(h.reason()).isEqualTo("2 of 2 ready");
    }

    @Test
    void aCrashLoopIsDegradedWithItsRestartsAndTheLastTerminationMessage() {
        Pod crashing = pod("web-a", new ContainerStatusBuilder().withName("app").withReady(false).withRestartCount(5)
                .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                .withMessage("back-off 40s restarting failed container").endWaiting().endState()
                .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error")
                .withMessage("panic: cannot connect to database").endTerminated().endLastState().build());
        AppHealth.Health h = AppHealth.of("web", 1, deployment(0, 1), List.of(crashing), List.of());
        assertThat(h.state()).isEqualTo("Degraded");
        assertThat(h.restarts()).isEqualTo(5);
        assertThat(h.reason()).isEqualTo("crash loop: restarted 5 times");
        assertThat(h.message()).isEqualTo("panic: cannot connect to database; exit code 1 (Error)");
    }

    @Test
    void restartsPastTheThresholdCountAsACrashLoopBetweenBackOffsToo() {
        Pod flapping = pod("web-a", new ContainerStatusBuilder().withName("app").withReady(true).withRestartCount(3)
                .withNewState().withNewRunning().endRunning().endState()
                .withNewLastState().withNewTerminated().withExitCode(137).withReason("OOMKilled").endTerminated()
                .endLastState().build());
        AppHealth.Health h = AppHealth.of("web", 1, deployment(1, 1), List.of(flapping), List.of());
        assertThat(h.state()).isEqualTo("Degraded");
        assertThat(h.message()).isEqualTo("exit code 137 (OOMKilled)");
    }

    @Test
    void aFailedCreateEventOfTheAppsReplicaSetIsFailedWithTheServersReasonAndMessage() {
        Event refused = new EventBuilder().withType("Warning").withReason("FailedCreate").withMessage(QUOTA)
                .withLastTimestamp("2026-12-03T06:00:00Z").withNewInvolvedObject().withKind("ReplicaSet")
                .withName("web-5d8f7c").endInvolvedObject().build();
        Event otherApp = new EventBuilder().withType("Warning").withReason("FailedCreate").withMessage("not ours")
                .withLastTimestamp("2026-12-03T06:05:00Z").withNewInvolvedObject().withKind("ReplicaSet")
                .withName("web-api-77c9d").endInvolvedObject().build();
        AppHealth.Health h = AppHealth.of("web", 1, deployment(0, 0), List.of(), List.of(refused, otherApp));
        assertThat(h.state()).isEqualTo("Failed");
        assertThat(h.reason()).isEqualTo("FailedCreate");
        assertThat(h.message()).isEqualTo(QUOTA);
    }

    @Test
    void aReplicaFailureConditionIsFailedWhenNothingIsReadyAndDegradedWhileSomePodsServe() {
        DeploymentCondition c = new DeploymentConditionBuilder().withType("ReplicaFailure").withStatus("True")
                .withReason("FailedCreate").withMessage(QUOTA).build();
        Deployment none = deployment(0, 2);
        none.getStatus().setConditions(List.of(c));
        assertThat(AppHealth.of("web", 2, none, List.of(), List.of()))
                .extracting(AppHealth.Health::state, AppHealth.Health::reason, AppHealth.Health::message)
                .containsExactly("Failed", "FailedCreate", QUOTA);
        Deployment some = deployment(1, 2);
        some.getStatus().setConditions(List.of(c));
        assertThat(AppHealth.of("web", 2, some, List.of(ready("web-a")), List.of()).state()).isEqualTo("Degraded");
    }

    @Test
    void aMissingImageIsFailedWithTheKubeletsReason() {
        Pod pulling = pod("web-a", new ContainerStatusBuilder().withName("app").withReady(false).withRestartCount(0)
                .withNewState().withNewWaiting().withReason("ImagePullBackOff")
                .withMessage("Back-off pulling image \"registry.example.com/t/web:gone\"").endWaiting().endState().build());
        AppHealth.Health h = AppHealth.of("web", 1, deployment(0, 1), List.of(pulling), List.of());
        assertThat(h.state()).isEqualTo("Failed");
        assertThat(h.reason()).isEqualTo("ImagePullBackOff");
        assertThat(h.message()).contains("registry.example.com/t/web:gone");
    }

    @Test
    void progressingSaysWhatItWaitsFor() {
        assertThat(AppHealth.of("web", 1, null, List.of(), List.of()))
                .extracting(AppHealth.Health::state, AppHealth.Health::reason)
                .containsExactly("Progressing", "waiting for the region to create the app");
        Pod notReady = pod("web-a", new ContainerStatusBuilder().withName("app").withReady(false).withRestartCount(0)
                .withNewState().withNewRunning().endRunning().endState().build());
        notReady.getSpec().setNodeName("node-1");
        assertThat(AppHealth.of("web", 2, deployment(0, 2), List.of(notReady, notReady), List.of()).reason())
                .isEqualTo("waiting for 2 of 2 pod(s) to become ready");
        assertThat(AppHealth.of("web", 2, deployment(2, 1), List.of(ready("web-a"), ready("web-b")), List.of())
                .reason()).isEqualTo("waiting for 1 of 2 pod(s) of the new version");
        Pod unscheduled = new PodBuilder().withNewMetadata().withName("web-c").endMetadata().withNewSpec().endSpec()
                .withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("False")
                .withReason("Unschedulable").endCondition().endStatus().build();
        assertThat(AppHealth.of("web", 1, deployment(0, 1), List.of(unscheduled), List.of()).reason())
                .isEqualTo("waiting for pods to be scheduled on a node");
    }

    @Test
    void anUnreachableRegionIsUnknown() {
        assertThat(AppHealth.unreachable())
                .extracting(AppHealth.Health::state, AppHealth.Health::reason)
                .containsExactly("Unknown", "region unreachable");
        assertThat(AppHealth.notSynced(true).state()).isEqualTo("Unknown");
    }

    @Test
    void scaledToZeroWithNoPodLeftIsStopped() {
        assertThat(AppHealth.of("web", 0, deployment(0, 0), List.of(), List.of()).state()).isEqualTo("Stopped");
    }

    private static Deployment deployment(int ready, int updated) {
        return new DeploymentBuilder().withNewMetadata().withName("web").endMetadata().withNewStatus()
                .withReadyReplicas(ready).withUpdatedReplicas(updated).endStatus().build();
    }

    private static Pod ready(String name) {
        Pod p = pod(name, new ContainerStatusBuilder().withName("app").withReady(true).withRestartCount(0)
                .withNewState().withNewRunning().endRunning().endState().build());
        p.getSpec().setNodeName("node-1");
        return p;
    }

    private static Pod pod(String name, ContainerStatus status) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().endSpec()
                .withNewStatus().withPhase("Running").withContainerStatuses(status).endStatus().build();
    }
}
