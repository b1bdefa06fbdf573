package dev.berth.regions;

import dev.berth.kube.Labels;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Stands in for the Deployment controller and the kubelet in simulated regions (the sandbox, tests): after a
 * short delay it replaces a Deployment's pods with ones of the current template, marks them running and ready,
 * writes the Deployment's status and records events. A real cluster never runs it.
 *
 * <p>Images whose reference contains {@code never-ready} get pods that run but never pass readiness, and
 * {@code crash} gives a crash loop, so failure paths can be tried in the sandbox too.
 */
public final class SimulatedKubelet implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SimulatedKubelet.class);
    public static final String TEMPLATE_HASH = "pod-template-hash";
    private final KubernetesClient client;
    private final Duration delay;
    private final ScheduledExecutorService executor;
    private final SharedIndexInformer<Deployment> informer;
    private final Map<String, Boolean> scheduled = new java.util.concurrent.ConcurrentHashMap<>();

    public SimulatedKubelet(KubernetesClient client, Duration delay) {
        this.client = client;
        this.delay = delay;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "simulated-kubelet");
            t.setDaemon(true);
            return t;
        });
        this.informer = client.apps().deployments().inAnyNamespace().runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Deployment d) {
                schedule(d);
            }

            @Override
            public void onUpdate(Deployment oldD, Deployment newD) {
                schedule(newD);
            }

            @Override
            public void onDelete(Deployment d, boolean unknown) {
                executor.execute(() -> deletePods(d));
            }
        });
        informer.exceptionHandler((started, t) -> true); // keep watching through slow or failed lists
        informer.start();
    }

    private void schedule(Deployment d) {
        if (settled(d)) {
            return;
        }
        String key = d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
        if (scheduled.putIfAbsent(key, Boolean.TRUE) == null) {
            executor.schedule(() -> {
                scheduled.remove(key);
                try {
                    converge(d.getMetadata().getNamespace(), d.getMetadata().getName());
                } catch (KubernetesClientException e) {
                    LOG.debugf("simulated kubelet: %s: %s", key, e.getMessage());
                }
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private boolean settled(Deployment d) {
        var s = d.getStatus();
        int want = replicas(d);
        return s != null && Objects.equals(templateHash(d), annotationHash(d))
                && s.getReplicas() != null && s.getReplicas() == want
                && Objects.equals(s.getUpdatedReplicas(), want);
    }

    private static String annotationHash(Deployment d) {
        var a = d.getStatus() == null ? null : d.getMetadata().getAnnotations();
        return a == null ? null : a.get("berth.dev/simulated-template");
    }

    private static int replicas(Deployment d) {
        return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    static String templateHash(Deployment d) {
        try {
            byte[] json = Serialization.asJson(d.getSpec().getTemplate()).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json)).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void converge(String ns, String name) {
        Deployment d = client.apps().deployments().inNamespace(ns).withName(name).get();
        if (d == null) {
            return;
        }
        String hash = templateHash(d);
        int want = replicas(d);
        String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        boolean ready = !image.contains("never-ready") && !image.contains("crash");
        List<Pod> pods = client.pods().inNamespace(ns).withLabels(d.getSpec().getSelector().getMatchLabels()).list().getItems();
        int current = 0;
        for (Pod p : pods) {
            boolean ofThis = name.equals(p.getMetadata().getLabels().get("berth.dev/deployment"));
            if (!ofThis) {
                continue;
            }
            if (!hash.equals(p.getMetadata().getLabels().get(TEMPLATE_HASH)) || current >= want) {
                client.resource(p).delete();
                event(ns, p, "Killing", "Stopping container app", "Normal");
            } else {
                current++;
            }
        }
        for (int i = current; i < want; i++) {
            Pod pod = client.resource(pod(d, hash, ready, image)).create();
            event(ns, pod, "Scheduled", "Successfully assigned " + ns + "/" + pod.getMetadata().getName() + " to sandbox-node", "Normal");
            if (image.contains("crash")) {
                event(ns, pod, "BackOff", "Back-off restarting failed container app", "Warning");
            } else {
                event(ns, pod, "Started", "Started container app", "Normal");
                if (!ready) {
                    event(ns, pod, "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", "Warning");
                }
            }
        }
        int readyCount = ready ? want : 0;
        d.getMetadata().setAnnotations(new LinkedHashMap<>(d.getMetadata().getAnnotations() == null
                ? Map.of() : d.getMetadata().getAnnotations()));
        d.getMetadata().getAnnotations().put("berth.dev/simulated-template", hash);
        d.setStatus(new DeploymentStatusBuilder().withReplicas(want).withUpdatedReplicas(want)
                .withReadyReplicas(readyCount).withAvailableReplicas(readyCount)
                .withUnavailableReplicas(want - readyCount).withObservedGeneration(d.getMetadata().getGeneration())
                .withConditions(new DeploymentConditionBuilder().withType("Available")
                        .withStatus(readyCount == want ? "True" : "False")
                        .withReason(readyCount == want ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable")
                        .withLastUpdateTime(Instant.now().toString()).build())
                .build());
        client.resource(d).update();
    }

    private static Pod pod(Deployment d, String hash, boolean ready, String image) {
        Map<String, String> labels = new LinkedHashMap<>(d.getSpec().getTemplate().getMetadata().getLabels());
        labels.put(TEMPLATE_HASH, hash);
        labels.put("berth.dev/deployment", d.getMetadata().getName());
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36), 36);
        boolean crash = image.contains("crash");
        return new PodBuilder()
                .withNewMetadata().withName(d.getMetadata().getName() + "-" + hash.substring(0, 8) + "-" + suffix)
                .withNamespace(d.getMetadata().getNamespace()).withLabels(labels).endMetadata()
                .withSpec(d.getSpec().getTemplate().getSpec())
                .withNewStatus().withPhase("Running").withStartTime(Instant.now().toString())
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build())
                .withContainerStatuses(new ContainerStatusBuilder().withName("app").withImage(image)
                        .withReady(ready).withRestartCount(crash ? 3 : 0).withStarted(!crash)
                        .withNewState().withNewRunning().withStartedAt(Instant.now().toString()).endRunning().endState()
                        .build())
                .endStatus().build();
    }

    private void event(String ns, Pod pod, String reason, String message, String type) {
        String now = Instant.now().toString();
        client.v1().events().inNamespace(ns).resource(new EventBuilder()
                .withNewMetadata().withName(pod.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()))
                .withNamespace(ns).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withKind("Pod").withNamespace(ns)
                        .withName(pod.getMetadata().getName()).build())
                .withReason(reason).withMessage(message).withType(type).withCount(1)
                .withFirstTimestamp(now).withLastTimestamp(now)
                .build()).create();
    }

    private void deletePods(Deployment d) {
        try {
            client.pods().inNamespace(d.getMetadata().getNamespace())
                    .withLabel("berth.dev/deployment", d.getMetadata().getName()).delete();
        } catch (KubernetesClientException e) {
            LOG.debugf("simulated kubelet: %s", e.getMessage());
        }
    }

    @Override
    public void close() {
        informer.close();
        executor.shutdownNow();
    }
}
