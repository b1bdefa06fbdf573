package dev.berth.regions;

import dev.berth.kube.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
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
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
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
 * Stands in for the Deployment and Job controllers and the kubelet in simulated regions (the sandbox, tests): after a
 * short delay it replaces a Deployment's pods with ones of the current template, writes their status and events as
 * a kubelet would, writes the Deployment's status. A real cluster never runs it.
 *
 * <p>What becomes of a pod is decided by {@link KubeletRules}, the same rules the test kubelet of real-API-server
 * tests applies: an image missing from Berth's registry ends in {@code ImagePullBackOff}, one that runs as root under
 * {@code runAsNonRoot} in {@code CreateContainerConfigError}, like on a real cluster; images whose reference contains
 * {@code never-ready} run but never pass readiness, and {@code crash} crash-loops, so failure paths can be tried in
 * the sandbox too. Images the {@link ImageInspector} cannot look up (other registries) run as if pulled.
 */
public final class SimulatedKubelet implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SimulatedKubelet.class);
    public static final String TEMPLATE_HASH = "pod-template-hash";
    /** The label the Job controller puts on a Job's pods. */
    static final String JOB_NAME = "job-name";
    private static final String NODE = "sandbox-node";
    private final KubernetesClient client;
    private final Duration delay;
    private final ScheduledExecutorService executor;
    private final SharedIndexInformer<Deployment> informer;
    private final SharedIndexInformer<Job> jobs;
    private final Map<String, Boolean> scheduled = new java.util.concurrent.ConcurrentHashMap<>();
    private final KubeletRules rules;
    private final java.util.concurrent.atomic.AtomicInteger podIps = new java.util.concurrent.atomic.AtomicInteger();

    /** A kubelet that knows no image: every image is pulled, its user not checked. */
    public SimulatedKubelet(KubernetesClient client, Duration delay) {
        this(client, delay, ImageInspector.unknown());
    }

    /** A kubelet that looks images up with {@code images} (for the sandbox: in Berth's own registry). */
    public SimulatedKubelet(KubernetesClient client, Duration delay, ImageInspector images) {
        this.client = client;
        this.delay = delay;
        this.rules = new KubeletRules(images);
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
        this.jobs = client.batch().v1().jobs().inAnyNamespace().runnableInformer(0);
        jobs.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job j) {
                executor.schedule(() -> runJob(j.getMetadata().getNamespace(), j.getMetadata().getName()),
                        delay.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public void onUpdate(Job before, Job after) {
                // A Job's template never changes; its status is this kubelet's own write.
            }

            @Override
            public void onDelete(Job j, boolean unknown) {
                executor.execute(() -> deleteJobPods(j));
            }
        });
        jobs.exceptionHandler((started, t) -> true);
        jobs.start();
    }

    /**
     * The Job controller and the kubelet for one Job: one pod of its template, run to its end by the same rules
     * as on a real cluster's test kubelet ({@link KubeletRules.Exited}: {@code exit N} ends with N, any other
     * command with 0), then the Job's status (succeeded or failed, with the controller's conditions).
     */
    private void runJob(String ns, String name) {
        try {
            Job j = client.batch().v1().jobs().inNamespace(ns).withName(name).get();
            if (j == null || (j.getStatus() != null && j.getStatus().getStartTime() != null)) {
                return;
            }
            if (j.getMetadata().getLabels() != null
                    && Labels.BUILDS_MANAGER.equals(j.getMetadata().getLabels().get(Labels.MANAGED_BY))) {
                // A builder Job runs a real build and reports the pushed image's digest, which no simulation can
                // give; its pod is left to whoever plays the build (its tests do).
                return;
            }
            Map<String, String> labels = new LinkedHashMap<>(j.getSpec().getTemplate().getMetadata().getLabels());
            labels.put(JOB_NAME, name);
            String suffix = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36), 36);
            Pod pod = client.resource(new PodBuilder().withNewMetadata().withName(name + "-" + suffix).withNamespace(ns)
                    .withLabels(labels).endMetadata().withSpec(j.getSpec().getTemplate().getSpec()).build()).create();
            event(ns, pod, "Scheduled", "Successfully assigned " + ns + "/" + pod.getMetadata().getName() + " to " + NODE,
                    "Normal");
            KubeletRules.Outcome outcome = rules.decide(pod.getSpec());
            pod.setStatus(rules.status(pod, outcome, Instant.now(), podIp()));
            client.pods().inNamespace(ns).resource(pod).updateStatus();
            for (KubeletRules.Event e : rules.events(pod, outcome)) {
                client.v1().events().inNamespace(ns).resource(e.about(pod, NODE, Instant.now())).create();
            }
            String now = Instant.now().toString();
            JobStatusBuilder status = new JobStatusBuilder().withStartTime(now);
            if (outcome instanceof KubeletRules.Exited exited && exited.exitCode() == 0) {
                status.withSucceeded(1).withCompletionTime(now).addNewCondition().withType("Complete").withStatus("True")
                        .withLastProbeTime(now).withLastTransitionTime(now).endCondition();
            } else if (outcome instanceof KubeletRules.Exited) {
                status.withFailed(1).addNewCondition().withType("Failed").withStatus("True")
                        .withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit")
                        .withLastProbeTime(now).withLastTransitionTime(now).endCondition();
            } else {
                status.withActive(1);
            }
            j.setStatus(status.build());
            client.batch().v1().jobs().inNamespace(ns).resource(j).updateStatus();
        } catch (KubernetesClientException e) {
            LOG.debugf("simulated kubelet: job %s/%s: %s", ns, name, e.getMessage());
        }
    }

    private void deleteJobPods(Job j) {
        try {
            client.pods().inNamespace(j.getMetadata().getNamespace()).withLabel(JOB_NAME, j.getMetadata().getName())
                    .delete();
        } catch (KubernetesClientException e) {
            LOG.debugf("simulated kubelet: %s", e.getMessage());
        }
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
        KubeletRules.Outcome outcome = rules.decide(d.getSpec().getTemplate().getSpec());
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
            // As on a cluster: the controller creates the pod, the kubelet then writes its status.
            Pod pod = client.resource(pod(d, hash)).create();
            event(ns, pod, "Scheduled", "Successfully assigned " + ns + "/" + pod.getMetadata().getName() + " to " + NODE, "Normal");
            pod.setStatus(rules.status(pod, outcome, Instant.now(), podIp()));
            client.pods().inNamespace(ns).resource(pod).updateStatus();
            for (KubeletRules.Event e : rules.events(pod, outcome)) {
                client.v1().events().inNamespace(ns).resource(e.about(pod, NODE, Instant.now())).create();
            }
        }
        boolean ready = outcome instanceof KubeletRules.Ready;
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

    private static Pod pod(Deployment d, String hash) {
        Map<String, String> labels = new LinkedHashMap<>(d.getSpec().getTemplate().getMetadata().getLabels());
        labels.put(TEMPLATE_HASH, hash);
        labels.put("berth.dev/deployment", d.getMetadata().getName());
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36), 36);
        return new PodBuilder()
                .withNewMetadata().withName(d.getMetadata().getName() + "-" + hash.substring(0, 8) + "-" + suffix)
                .withNamespace(d.getMetadata().getNamespace()).withLabels(labels).endMetadata()
                .withSpec(d.getSpec().getTemplate().getSpec())
                .build();
    }

    /** The next address of the sandbox node's pod range (10.244.0.0/16); only ever written into pod status. */
    private String podIp() {
        int n = podIps.getAndIncrement() % 65_000 + 2;
        return "10.244." + (n / 256) + "." + (n % 256);
    }

    private void event(String ns, Pod pod, String reason, String message, String type) {
        client.v1().events().inNamespace(ns)
                .resource(new KubeletRules.Event(type, reason, message).about(pod, NODE, Instant.now())).create();
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
        jobs.close();
        executor.shutdownNow();
    }
}
