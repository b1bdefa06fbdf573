package dev.berth.it;

import dev.berth.regions.ImageInspector;
import dev.berth.regions.KubeletRules;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
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
 * without which terminating pods and their namespaces would never go away. What it reports for a pod follows the
 * sandbox's {@link KubeletRules}, so the real apiserver's controllers see root images, missing images and crash loops
 * as they would from a real kubelet. Berth's builder pods are run for real on this machine ({@link BuilderPods}).
 */
public final class TestKubelet implements AutoCloseable {
    public static final String NODE = "berth-test-node";
    private final KubernetesClient client;
    private final Duration readyDelay;
    private final ScheduledExecutorService executor;
    private final SharedIndexInformer<Pod> informer;
    private final AtomicInteger nextIp = new AtomicInteger(2);
    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    private final KubeletRules rules;
    /** Where images are looked up; until a test sets a registry, every image is pullable with an unknown user. */
    private volatile ImageInspector images = ImageInspector.unknown();

    private final BuilderPods builders;
    private final KubeletLogs logs;

    TestKubelet(KubernetesClient client, Duration readyDelay, java.nio.file.Path podsDir) {
        this.client = client;
        this.builders = new BuilderPods(client, podsDir);
        this.logs = new KubeletLogs(podsDir.resolveSibling("kubelet"));
        this.readyDelay = readyDelay;
        this.rules = new KubeletRules(ref -> images.inspect(ref));
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

    /** The containers' logs, which the API server's {@code pods/log} reads from this kubelet. */
    public KubeletLogs logs() {
        return logs;
    }

    /** Looks images up with this inspector from now on (the tests' registry, for images Berth builds). */
    public void inspectImagesWith(ImageInspector inspector) {
        images = inspector;
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
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(logs.port()).endKubeletEndpoint()
                .endDaemonEndpoints()
                .endStatus().build());
    }

    private void handle(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            executor.execute(() -> untilDone(() -> client.pods().inNamespace(ns).withName(name).withGracePeriod(0).delete(),
                    RETRIES));
            return;
        }
        if (pod.getSpec().getNodeName() == null) {
            executor.execute(() -> untilDone(() -> client.bindings().inNamespace(ns).resource(new BindingBuilder()
                    .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                    .withNewTarget().withKind("Node").withApiVersion("v1").withName(NODE).endTarget().build()).create(),
                    RETRIES));
            return;
        }
        if (BuilderPods.isBuilder(pod)) {
            if (handled.add(pod.getMetadata().getUid())) {
                Thread t = new Thread(() -> runBuilder(pod), "test-kubelet-" + name);
                t.setDaemon(true);
                t.start();
            }
            return;
        }
        if (handled.add(pod.getMetadata().getUid())) {
            executor.schedule(() -> untilDone(() -> start(pod), RETRIES), readyDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * What a kubelet does with a bound pod, by the same rules as the sandbox ({@link KubeletRules}): pull the image
     * (missing in its registry: ImagePullBackOff), check runAsNonRoot against the image's user
     * (CreateContainerConfigError), then run it (ready, never ready, or a crash loop), and report it in the pod's
     * status and events.
     */
    private void start(Pod pod) {
        KubeletRules.Outcome outcome = rules.decide(pod.getSpec());
        int ip = nextIp.getAndIncrement();
        String podIp = "10.244." + (ip / 250) + "." + (ip % 250 + 1);
        Pod updated = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .editStatus(p -> {
                    PodStatus status = rules.status(p, outcome, Instant.now(), podIp);
                    status.setHostIP("127.0.0.1");
                    p.setStatus(status);
                    return p;
                });
        for (KubeletRules.Event e : rules.events(updated, outcome)) {
            event(updated, e);
        }
    }

    /** Builder pods (Berth's build Jobs) really run here: see {@link BuilderPods}. */
    private void runBuilder(Pod pod) {
        try {
            builders.run(pod);
        } catch (Exception e) {
            System.err.println("test kubelet: builder pod " + pod.getMetadata().getName() + " did not run: " + e);
        }
    }

    /** The directory of a builder pod's volumes and container logs ({@code <container>.log}). */
    public java.nio.file.Path builderPodDir(Pod pod) {
        return builders.dir(pod);
    }

    private void event(Pod pod, KubeletRules.Event e) {
        client.v1().events().inNamespace(pod.getMetadata().getNamespace()).resource(e.about(pod, NODE, Instant.now()))
                .create();
    }

    /** How often a binding or status write is tried again while the API server cannot take it (1 s apart). */
    private static final int RETRIES = 180;

    /**
     * Runs a write for a pod until the API server takes it, as a kubelet keeps trying. A write refused because the
     * pod is gone, already bound or changed meanwhile ends there (the informer brings its next state); one that
     * failed because the API server was down (the region outage test stops it) is tried again a second later.
     * Without this, a pod whose start fell into an outage stayed unready for good: the informer's later events for
     * it are ignored once it is handled.
     */
    private void untilDone(Runnable write, int attemptsLeft) {
        try {
            write.run();
        } catch (KubernetesClientException e) {
            boolean settled = e.getCode() == 404 || e.getCode() == 409 || e.getCode() == 422;
            if (!settled && attemptsLeft > 0 && !executor.isShutdown()) {
                executor.schedule(() -> untilDone(write, attemptsLeft - 1), 1, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() {
        logs.close();
        informer.close();
        executor.shutdownNow();
    }
}
