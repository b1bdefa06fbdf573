package dev.berth.it;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Does on the real apiserver what the scheduler and a kubelet would: registers one Node, binds every pending pod
 * to it ({@code pods/binding}), and after a readiness delay writes the pod's status ({@code pods/status}) with a
 * pod IP, so the controller-manager's ReplicaSet, Deployment and Endpoints controllers see ready pods exactly as
 * in a real cluster. It also finishes graceful deletions (a kubelet confirms a pod's end with a zero grace period),
 * without which terminating pods and their namespaces would never go away.
 */
public final class TestKubelet implements AutoCloseable {
    public static final String NODE = "berth-test-node";
    private final KubernetesClient client;
    private final Duration readyDelay;
    private final ScheduledExecutorService executor;
    private final SharedIndexInformer<Pod> informer;
    private final AtomicInteger nextIp = new AtomicInteger(2);
    private final Set<String> handled = ConcurrentHashMap.newKeySet();

    TestKubelet(KubernetesClient client, Duration readyDelay) {
        this.client = client;
        this.readyDelay = readyDelay;
        this.executor = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "test-kubelet");
            t.setDaemon(true);
            return t;
        });
        registerNode();
        this.informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                handle(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
                handle(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
                handled.remove(pod.getMetadata().getUid());
            }
        }, 0);
    }

    private void registerNode() {
        Node node = new NodeBuilder().withNewMetadata().withName(NODE)
                .addToLabels("kubernetes.io/hostname", NODE).endMetadata().build();
        if (client.nodes().withName(NODE).get() == null) {
            client.nodes().resource(node).create();
        }
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity("64"), "memory", new Quantity("256Gi"),
                "pods", new Quantity("1000"));
        client.nodes().withName(NODE).editStatus(n -> new NodeBuilder(n).withNewStatus()
                .withCapacity(capacity).withAllocatable(capacity)
                .withConditions(new NodeConditionBuilder().withType("Ready").withStatus("True")
                        .withReason("KubeletReady").withMessage("test kubelet is posting ready status")
                        .withLastHeartbeatTime(Instant.now().toString()).build())
                .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
                .endStatus().build());
    }

    private void handle(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            executor.execute(() -> quietly(() -> client.pods().inNamespace(ns).withName(name).withGracePeriod(0).delete()));
            return;
        }
        if (pod.getSpec().getNodeName() == null) {
            executor.execute(() -> quietly(() -> client.bindings().inNamespace(ns).resource(new BindingBuilder()
                    .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                    .withNewTarget().withKind("Node").withApiVersion("v1").withName(NODE).endTarget().build()).create()));
            return;
        }
        if (handled.add(pod.getMetadata().getUid())) {
            executor.schedule(() -> quietly(() -> client.pods().inNamespace(ns).withName(name)
                    .editStatus(p -> {
                        p.setStatus(status(p));
                        return p;
                    })), readyDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Running and ready, as a kubelet reports a container that started and passes its readiness probe. */
    private PodStatus status(Pod pod) {
        String now = Instant.now().toString();
        int ip = nextIp.getAndIncrement();
        var c = pod.getSpec().getContainers().get(0);
        return new PodStatusBuilder().withPhase("Running").withHostIP("127.0.0.1")
                .withPodIP("10.244." + (ip / 250) + "." + (ip % 250 + 1)).withStartTime(now)
                .withConditions(
                        new PodConditionBuilder().withType("PodScheduled").withStatus("True").withLastTransitionTime(now).build(),
                        new PodConditionBuilder().withType("Initialized").withStatus("True").withLastTransitionTime(now).build(),
                        new PodConditionBuilder().withType("ContainersReady").withStatus("True").withLastTransitionTime(now).build(),
                        new PodConditionBuilder().withType("Ready").withStatus("True").withLastTransitionTime(now).build())
                .withContainerStatuses(new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
                        .withImageID(c.getImage()).withReady(true).withStarted(true).withRestartCount(0)
                        .withNewState().withNewRunning().withStartedAt(now).endRunning().endState().build())
                .build();
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (KubernetesClientException e) {
            // The pod went away or changed meanwhile; the informer brings its next state.
        }
    }

    @Override
    public void close() {
        informer.close();
        executor.shutdownNow();
    }
}
