package dev.berth.processes;

import dev.berth.apps.AppManifests;
import dev.berth.apps.AppSpec;
import dev.berth.apps.ProcessSpec;
import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.kube.Quantities;
import dev.berth.tenancy.TenantManifests;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure functions from an app's processes to their objects in one region: a Deployment per worker, a CronJob per
 * cron (batch/v1 where the cluster serves it, else batch/v1beta1) and a Job per pending or running run. Every pod
 * runs the serving release's image and env with its own command, under Pod Security {@code restricted} like the
 * web pods.
 *
 * <p>Objects are named {@code <app>.<process>} (a run's Job {@code <app>.run-<id>}): app names hold no dot, so no
 * name of another app, colour or track can collide. Their pods carry that same name as {@code berth.dev/app} (and
 * the process in {@code berth.dev/process}), so the web Deployment's, Service's, autoscaler's and disruption
 * budget's selectors ({@code berth.dev/app: <app>}, immutable) can never select them, while the pod cache, which
 * follows every pod with a {@code berth.dev/app} label, still sees them.
 */
public final class ProcessManifests {
    public static final String PROCESS = "berth.dev/process";
    public static final String RUN = "berth.dev/run";
    public static final String CRON_V1 = "v1";
    public static final String CRON_V1BETA1 = "v1beta1";
    /** How long one run (or release command) may take before the Job controller stops it. */
    public static final long RUN_DEADLINE_SECONDS = 3600;

    private ProcessManifests() {
    }

    public static String objectName(String app, String process) {
        return app + "." + process;
    }

    public static String jobName(String app, long runId) {
        return app + ".run-" + runId;
    }

    /** The objects of the app's processes and runs; crons only when {@code cronApi} is known and served. */
    public static List<HasMetadata> desired(ProcessDesired d, String cronApi) {
        List<HasMetadata> out = new ArrayList<>();
        for (ProcessSpec p : d.processes()) {
            if (!p.cron()) {
                out.add(worker(d, p));
            } else if (CRON_V1.equals(cronApi) || CRON_V1BETA1.equals(cronApi)) {
                out.add(cronJob(d, p, cronApi));
            }
        }
        for (ProcessDesired.RunJob r : d.runs()) {
            out.add(job(d, r));
        }
        return out;
    }

    static Deployment worker(ProcessDesired d, ProcessSpec p) {
        AppSpec app = d.spec();
        String name = objectName(app.name(), p.name());
        Map<String, String> selector = Labels.appSelector(app.tenant(), name);
        selector.put(PROCESS, p.name());
        return new DeploymentBuilder().withMetadata(metadata(app, name, p.name()))
                .withNewSpec().withReplicas(p.replicas())
                .withNewSelector().withMatchLabels(selector).endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString("25%")).withMaxUnavailable(new IntOrString(0)).endRollingUpdate()
                .endStrategy()
                .withRevisionHistoryLimit(5)
                .withTemplate(pod(d, name, p.name(), null, p.command(), p.args(), p, "Always"))
                .endSpec().build();
    }

    static HasMetadata cronJob(ProcessDesired d, ProcessSpec p, String version) {
        AppSpec app = d.spec();
        String name = objectName(app.name(), p.name());
        JobSpec job = jobSpec(pod(d, name, p.name(), null, p.command(), p.args(), p, "Never"), null);
        if (CRON_V1.equals(version)) {
            return new io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder().withMetadata(metadata(app, name, p.name()))
                    .withNewSpec().withSchedule(p.schedule()).withConcurrencyPolicy(p.concurrencyPolicy())
                    .withSuccessfulJobsHistoryLimit(p.successfulJobsHistoryLimit())
                    .withFailedJobsHistoryLimit(p.failedJobsHistoryLimit())
                    .withNewJobTemplate().withNewMetadata().withLabels(cronJobLabels(app, name, p.name(), d.release()))
                    .endMetadata().withSpec(job).endJobTemplate().endSpec().build();
        }
        return new io.fabric8.kubernetes.api.model.batch.v1beta1.CronJobBuilder().withMetadata(metadata(app, name, p.name()))
                .withNewSpec().withSchedule(p.schedule()).withConcurrencyPolicy(p.concurrencyPolicy())
                .withSuccessfulJobsHistoryLimit(p.successfulJobsHistoryLimit())
                .withFailedJobsHistoryLimit(p.failedJobsHistoryLimit())
                .withNewJobTemplate().withNewMetadata().withLabels(cronJobLabels(app, name, p.name(), d.release()))
                .endMetadata().withSpec(job).endJobTemplate().endSpec().build();
    }

    /** A run's Job: one pod, never restarted or retried (its exit code is the result), at most an hour. */
    static Job job(ProcessDesired d, ProcessDesired.RunJob r) {
        AppSpec app = d.spec();
        String process = "run-" + r.id();
        io.fabric8.kubernetes.api.model.ObjectMeta meta = metadata(app, r.jobName(), process);
        meta.getLabels().put(RUN, Long.toString(r.id()));
        AppSpec image = new AppSpec(app.tenant(), app.name(), r.image(), app.port(), app.replicas(),
                app.cpuRequestMillis(), app.cpuLimitMillis(), app.memoryRequestBytes(), app.memoryLimitBytes(),
                app.healthPath(), app.customDomain(), app.env(), app.secretEnv());
        ProcessDesired forRun = new ProcessDesired(image, d.secretOf(), r.release(), List.of(), List.of());
        PodTemplateSpec pod = pod(forRun, r.jobName(), process, r.id(), r.command(), List.of(), null, "Never");
        return new JobBuilder().withMetadata(meta).withSpec(jobSpec(pod, RUN_DEADLINE_SECONDS)).build();
    }

    private static JobSpec jobSpec(PodTemplateSpec pod, Long deadline) {
        return new JobSpecBuilder().withBackoffLimit(0).withParallelism(1).withCompletions(1)
                .withActiveDeadlineSeconds(deadline).withTemplate(pod).build();
    }

    private static io.fabric8.kubernetes.api.model.ObjectMeta metadata(AppSpec app, String name, String process) {
        Map<String, String> labels = Labels.app(app.tenant(), app.name());
        labels.put(PROCESS, process);
        return new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name)
                .withNamespace(Names.namespace(app.tenant())).withLabels(labels).build();
    }

    /**
     * The labels of the Jobs a CronJob starts: a process's pod labels without the managed-by label, since those Jobs
     * are the CronJob controller's, not Berth's (the reconciler would collect them as unwanted objects otherwise).
     */
    static Map<String, String> cronJobLabels(AppSpec app, String object, String process, int release) {
        Map<String, String> labels = podLabels(app, object, process, release, null);
        labels.remove(Labels.MANAGED_BY);
        return labels;
    }

    /** The labels of a process's pods: {@code berth.dev/app} is the object's name, never the app's (see above). */
    static Map<String, String> podLabels(AppSpec app, String object, String process, int release, Long run) {
        Map<String, String> labels = new LinkedHashMap<>(Labels.tenant(app.tenant()));
        labels.put(Labels.NAME, app.name());
        labels.put(Labels.APP, object);
        labels.put(PROCESS, process);
        if (release > 0) {
            labels.put(Labels.RELEASE, Integer.toString(release));
        }
        if (run != null) {
            labels.put(RUN, Long.toString(run));
        }
        return labels;
    }

    private static PodTemplateSpec pod(ProcessDesired d, String object, String process, Long run, List<String> command,
            List<String> args, ProcessSpec resources, String restartPolicy) {
        AppSpec app = d.spec();
        return new PodTemplateSpecBuilder().withNewMetadata()
                .withLabels(podLabels(app, object, process, d.release(), run)).endMetadata()
                .withNewSpec().withServiceAccountName(TenantManifests.SERVICE_ACCOUNT)
                .withAutomountServiceAccountToken(false).withEnableServiceLinks(false).withRestartPolicy(restartPolicy)
                .withNewSecurityContext().withRunAsNonRoot(true).withNewSeccompProfile().withType("RuntimeDefault")
                .endSeccompProfile().endSecurityContext()
                .withContainers(container(d, command, args, resources))
                .endSpec().build();
    }

    private static Container container(ProcessDesired d, List<String> command, List<String> args, ProcessSpec r) {
        AppSpec app = d.spec();
        int cpuReq = r == null ? app.cpuRequestMillis() : r.cpuRequestMillis();
        int cpuLim = r == null ? app.cpuLimitMillis() : r.cpuLimitMillis();
        long memReq = r == null ? app.memoryRequestBytes() : r.memoryRequestBytes();
        long memLim = r == null ? app.memoryLimitBytes() : r.memoryLimitBytes();
        return new ContainerBuilder().withName(AppManifests.CONTAINER).withImage(app.image())
                .withCommand(command).withArgs(args.isEmpty() ? null : args)
                .withEnv(AppManifests.env(app, d.secretOf()))
                .withNewResources()
                .withRequests(Quantities.cpuAndMemory(Quantities.cpu(cpuReq), Quantities.memory(memReq)))
                .withLimits(Quantities.cpuAndMemory(Quantities.cpu(cpuLim), Quantities.memory(memLim)))
                .endResources()
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withRunAsNonRoot(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext().build();
    }
}
