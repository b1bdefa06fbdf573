package dev.berth.builds.executors;

import dev.berth.builds.registry.RegistryAuth;
import dev.berth.builds.run.BuildControl;
import dev.berth.builds.run.BuildFailure;
import dev.berth.builds.run.BuildLog;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.builds.run.ProcessRunner;
import dev.berth.builds.source.UrlGuard;
import dev.berth.kube.ClusterErrors;
import dev.berth.kube.ClusterWriter;
import dev.berth.kube.Names;
import dev.berth.quotas.QuotaService;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import dev.berth.regions.RegionsConfig;
import dev.berth.tenancy.Tenant;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs a Dockerfile build as a Kubernetes Job (see {@link BuildJobManifests}) in the tenant's build namespace of the
 * build region's cluster: makes sure the namespace and its fence (quota, default-deny policy) are as desired
 * (written through the region's {@link ClusterWriter}, only on drift), pins the Git host and the registry to the
 * addresses checked now ({@link BuildEgress}), creates the build's NetworkPolicy and Secret and then the Job (which
 * then owns both, so the cluster removes them with it), follows the builder pod's logs into the build log, and reads
 * the pushed digest from the build container's termination message. On cancel or timeout the Job is deleted with its
 * pod; the Secret and the policy are deleted whatever happens.
 */
@ApplicationScoped
public class KubernetesJobExecutor implements BuildExecutor {
    static final long POLL_MILLIS = 500;
    static final int LOG_ATTEMPTS = 5;
    static final java.time.Duration LEFTOVER_WAIT = java.time.Duration.ofSeconds(60);

    @Inject
    BuildsConfig config;
    @Inject
    RegistryAuth auth;
    @Inject
    RegionsConfig regions;
    @Inject
    RegionClients clients;
    @Inject
    UrlGuard guard;

    @Override
    public String buildAndPush(BuildSpec spec, BuildLog.Writer log, BuildControl control, Stages stages)
            throws InterruptedException {
        String region = buildRegion();
        RegionCluster cluster = clients.get(region)
                .orElseThrow(() -> new BuildFailure("the build region '" + region + "' is not connected"));
        BuildEgress egress = BuildEgress.of(guard, spec.repoUrl(), config.registry().host(),
                config.registry().insecure(), config.kubernetes().egressCidrs().orElse(List.of()));
        int concurrentBuilds = QuarkusTransaction.requiringNew()
                .call(() -> QuotaService.effective(Tenant.findBySlug(spec.tenant())).concurrentBuilds());
        return run(cluster.client(), cluster.writer(), spec, egress, concurrentBuilds, log, control, stages);
    }

    /** The region whose cluster runs builder Jobs. */
    public String buildRegion() {
        return config.kubernetes().region().orElse(regions.defaultRegion().name());
    }

    String run(KubernetesClient client, ClusterWriter writer, BuildSpec spec, BuildEgress egress, int concurrentBuilds,
            BuildLog.Writer log, BuildControl control, Stages stages) throws InterruptedException {
        String ns = Names.buildNamespace(spec.tenant());
        for (HasMetadata o : BuildJobManifests.fence(spec.tenant(), concurrentBuilds, config.kubernetes())) {
            writer.apply(o, client.resource(o).get());
        }
        // The Job may run only as long as the build has left: the cluster stops it even if Berth is gone.
        Job job = BuildJobManifests.job(spec, config.kubernetes(), control.remainingSeconds(), egress);
        String name = job.getMetadata().getName();
        removeEarlierAttempt(client, ns, name, log);
        // The policy exists before the pod does: a pod never starts with the namespace's deny-all alone.
        NetworkPolicy policy = client.resource(BuildJobManifests.networkPolicy(spec, egress)).create();
        Secret secret = client.resource(BuildJobManifests.secret(spec, auth.dockerConfigJson(),
                config.registry().host(), config.registry().insecure())).create();
        try {
            Job created = client.batch().v1().jobs().inNamespace(ns).resource(job).create();
            ownedBy(client, created, policy, secret);
            log.line("Started builder Job " + ns + "/" + name + " in region " + client.getMasterUrl().getHost()
                    + "; it may reach " + egress.pins().stream().map(p -> p.host() + ":" + p.port()).toList()
                    + (egress.cidrs().isEmpty() ? "" : " and " + egress.cidrs()));
            Thread follower = null;
            while (true) {
                if (control.stopped()) {
                    client.batch().v1().jobs().inNamespace(ns).withName(name)
                            .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
                    throw new ProcessRunner.StoppedException(control.stopReason());
                }
                Pod pod;
                Job current;
                try {
                    pod = pod(client, ns, name);
                    current = client.batch().v1().jobs().inNamespace(ns).withName(name).get();
                } catch (KubernetesClientException e) {
                    if (!ClusterErrors.unanswered(e)) {
                        throw e;
                    }
                    // A dropped connection or a slow answer: the Job runs on in the cluster (its deadline bounds
                    // it), so the build looks again at the next poll instead of failing.
                    log.line("(region did not answer: " + ClusterErrors.describe(e) + "; looking again)");
                    Thread.sleep(POLL_MILLIS);
                    continue;
                }
                if (follower == null && pod != null && running(pod)) {
                    follower = follow(client, ns, pod.getMetadata().getName(), log);
                }
                JobStatus status = current == null ? null : current.getStatus();
                if (status != null && status.getSucceeded() != null && status.getSucceeded() > 0) {
                    stages.pushing();
                    joinQuietly(follower);
                    String digest = digest(finishedPod(client, ns, name, log));
                    if (digest == null) {
                        throw new BuildFailure("the builder Job succeeded but reported no image digest");
                    }
                    return digest;
                }
                if (status != null && status.getFailed() != null && status.getFailed() > 0) {
                    joinQuietly(follower);
                    throw new BuildFailure("the builder Job failed" + reason(status) + "; see the log above");
                }
                Thread.sleep(POLL_MILLIS);
            }
        } finally {
            for (HasMetadata o : List.<HasMetadata>of(secret, policy)) {
                try {
                    client.resource(o).delete();
                } catch (KubernetesClientException e) {
                    log.line("(could not delete " + o.getKind() + " " + ns + "/" + o.getMetadata().getName() + ": "
                            + e.getMessage() + ")");
                }
            }
        }
    }

    /**
     * An earlier attempt of this build whose Berth instance died (the build was recovered and queued again) may have
     * left its Job, Secret and policy, under the same names: they are deleted, and the new attempt waits until they
     * are gone, so that it starts from a clean slate and never adopts the old pod's result.
     */
    private static void removeEarlierAttempt(KubernetesClient client, String ns, String name, BuildLog.Writer log)
            throws InterruptedException {
        var job = client.batch().v1().jobs().inNamespace(ns).withName(name);
        var secret = client.secrets().inNamespace(ns).withName(name);
        var policy = client.network().v1().networkPolicies().inNamespace(ns).withName(name);
        if (job.get() == null && secret.get() == null && policy.get() == null) {
            return;
        }
        log.line("Removing the builder Job " + ns + "/" + name + " of an earlier attempt");
        job.withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
        secret.delete();
        policy.delete();
        long until = System.nanoTime() + LEFTOVER_WAIT.toNanos();
        while (job.get() != null || secret.get() != null || policy.get() != null) {
            if (System.nanoTime() > until) {
                throw new BuildFailure("the builder Job " + ns + "/" + name + " of an earlier attempt did not go away"
                        + " within " + LEFTOVER_WAIT.toSeconds() + " s");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Makes the Job the owner of its Secret and NetworkPolicy, so the cluster's garbage collector removes them with
     * the Job (its TTL after it finished, or a delete) even when this Berth instance is gone before its own clean-up.
     */
    private static void ownedBy(KubernetesClient client, Job job, HasMetadata... owned) {
        OwnerReference ref = new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                .withName(job.getMetadata().getName()).withUid(job.getMetadata().getUid()).withController(false)
                .withBlockOwnerDeletion(false).build();
        for (HasMetadata o : owned) {
            String patch = "[{\"op\":\"add\",\"path\":\"/metadata/ownerReferences\",\"value\":["
                    + io.fabric8.kubernetes.client.utils.Serialization.asJson(ref) + "]}]";
            client.resource(o).patch(new PatchContext.Builder().withPatchType(PatchType.JSON)
                    .withFieldManager(ClusterWriter.FIELD_MANAGER).build(), patch);
        }
    }

    /**
     * The finished builder pod, read again for its termination message; a dropped connection (the log stream that
     * just ended can take the pooled connection with it) is tried again a few times before the build gives up.
     */
    private static Pod finishedPod(KubernetesClient client, String ns, String job, BuildLog.Writer log)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return pod(client, ns, job);
            } catch (KubernetesClientException e) {
                if (attempt == 5 || !ClusterErrors.unanswered(e)) {
                    throw e;
                }
                log.line("(region did not answer: " + ClusterErrors.describe(e) + "; looking again)");
                Thread.sleep(POLL_MILLIS);
            }
        }
    }

    private static Pod pod(KubernetesClient client, String ns, String job) {
        List<Pod> pods = client.pods().inNamespace(ns).withLabel("job-name", job).list().getItems();
        return pods.isEmpty() ? null : pods.get(0);
    }

    private static boolean running(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Running".equals(phase) || "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** Streams the builder pod's log (clone, then build) into the build log on its own thread. */
    private static Thread follow(KubernetesClient client, String ns, String pod, BuildLog.Writer log) {
        Thread t = new Thread(() -> {
            for (String container : List.of("clone", "build")) {
                // A connection dropped before the first line is asked for again (the log is read from its start, so
                // nothing is lost or repeated); after that, the rest of that container's log is reported missing.
                for (int attempt = 1; ; attempt++) {
                    int read = 0;
                    try (LogWatch watch = client.pods().inNamespace(ns).withName(pod).inContainer(container).watchLog();
                            BufferedReader r = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            log.line(line);
                            read++;
                        }
                        Throwable failed = read == 0 ? failure(watch) : null;
                        if (failed == null) {
                            break;
                        }
                        throw new java.io.IOException(ClusterErrors.describe(failed), failed);
                    } catch (Exception e) {
                        if (read == 0 && attempt < LOG_ATTEMPTS && ClusterErrors.unanswered(e)) {
                            sleepQuietly(POLL_MILLIS);
                            continue;
                        }
                        log.line("(log of container " + container + " unavailable: " + e.getMessage() + ")");
                        break;
                    }
                }
            }
        }, "build-log-" + pod);
        t.setDaemon(true);
        t.start();
        return t;
    }

    static String digest(Pod pod) {
        if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return null;
        }
        for (ContainerStatus s : pod.getStatus().getContainerStatuses()) {
            if ("build".equals(s.getName()) && s.getState() != null && s.getState().getTerminated() != null) {
                String message = s.getState().getTerminated().getMessage();
                return message != null && message.trim().matches("sha256:[0-9a-f]{64}") ? message.trim() : null;
            }
        }
        return null;
    }

    private static String reason(JobStatus status) {
        return status.getConditions() == null ? "" : status.getConditions().stream()
                .filter(c -> "Failed".equals(c.getType())).findFirst()
                .map(c -> " (" + c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage()) + ")").orElse("");
    }

    /** Why a log stream ended, when it failed (a dropped connection ends the stream as if the log had ended). */
    private static Throwable failure(LogWatch watch) {
        try {
            return watch.onClose().toCompletableFuture().get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(Thread t) throws InterruptedException {
        if (t != null) {
            t.join(10_000);
        }
    }
}
