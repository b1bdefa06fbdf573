package dev.berth.processes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.apps.AppSpec;
import dev.berth.apps.ProcessSpec;
import dev.berth.kube.Labels;
import dev.berth.testsupport.Fixtures;
import dev.berth.testsupport.Golden;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A worker's Deployment, a cron's CronJob in both API versions and a run's Job, against reviewed golden YAML. */
class ProcessManifestsTest {
    static final ProcessSpec WORKER = new ProcessSpec("jobs", "worker", List.of("bin/worker"), List.of("--queue", "mail"),
            3, 200, 400, 64L << 20, 128L << 20, null, null, null, null);
    static final ProcessSpec NIGHTLY = new ProcessSpec("nightly", "cron", List.of("bin/report"), List.of(), null, 100,
            500, 128L << 20, 256L << 20, "0 3 * * *", "Forbid", 3, 1);

    static ProcessDesired desired(List<ProcessSpec> processes, List<ProcessDesired.RunJob> runs) {
        return new ProcessDesired(Fixtures.app(), "web", 7, processes, runs);
    }

    @Test
    void workerDeploymentMatchesTheGoldenYaml() {
        Golden.assertMatches("process-worker.yaml", ProcessManifests.desired(desired(List.of(WORKER), List.of()), null));
    }

    @Test
    void cronJobInBatchV1beta1MatchesTheGoldenYaml() {
        Golden.assertMatches("process-cron-v1beta1.yaml",
                ProcessManifests.desired(desired(List.of(NIGHTLY), List.of()), ProcessManifests.CRON_V1BETA1));
    }

    @Test
    void cronJobInBatchV1MatchesTheGoldenYaml() {
        Golden.assertMatches("process-cron-v1.yaml",
                ProcessManifests.desired(desired(List.of(NIGHTLY), List.of()), ProcessManifests.CRON_V1));
    }

    @Test
    void runJobMatchesTheGoldenYaml() {
        ProcessDesired.RunJob run = new ProcessDesired.RunJob(42, ProcessManifests.jobName("web", 42), Run.KIND_RUN,
                "registry.example.com/acme/web@sha256:" + "a".repeat(64), 6, List.of("sh", "-c", "exit 3"));
        Golden.assertMatches("process-run-job.yaml", ProcessManifests.desired(desired(List.of(), List.of(run)), null));
    }

    @Test
    void aClusterServingNoCronJobsGetsNoneWhileWorkersStillRun() {
        List<HasMetadata> out = ProcessManifests.desired(desired(List.of(WORKER, NIGHTLY), List.of()), null);
        assertThat(out).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactly("Deployment/web.jobs");
    }

    @Test
    void processPodsCanNeverBeSelectedByTheWebProcesssSelectors() {
        AppSpec app = Fixtures.app();
        Deployment worker = (Deployment) ProcessManifests.desired(desired(List.of(WORKER), List.of()), null).get(0);
        var podLabels = worker.getSpec().getTemplate().getMetadata().getLabels();
        // The web Deployment, Service, autoscaler and budgets select tenant + app; a process pod's app label differs.
        assertThat(Labels.appSelector(app.tenant(), app.name()).entrySet()).isNotEmpty()
                .anyMatch(e -> !e.getValue().equals(podLabels.get(e.getKey())));
        assertThat(podLabels).containsEntry(Labels.APP, "web.jobs").containsEntry(ProcessManifests.PROCESS, "jobs")
                .containsEntry(Labels.NAME, "web").containsEntry(Labels.RELEASE, "7");
        assertThat(worker.getMetadata().getLabels()).containsEntry(Labels.APP, "web")
                .containsEntry(Labels.MANAGED_BY, Labels.MANAGER).containsEntry(Labels.TENANT, "acme");
    }

    @Test
    void theJobsACronJobStartsAreNotLabelledAsBerthsSoTheReconcilerLeavesThemToTheController() {
        var cron = (io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob) ProcessManifests.desired(
                desired(List.of(NIGHTLY), List.of()), ProcessManifests.CRON_V1BETA1).get(0);
        assertThat(cron.getMetadata().getLabels()).containsEntry(Labels.MANAGED_BY, Labels.MANAGER);
        assertThat(cron.getSpec().getJobTemplate().getMetadata().getLabels()).doesNotContainKey(Labels.MANAGED_BY)
                .containsEntry(Labels.APP, "web.nightly");
    }

    @Test
    void aRunsJobNeverRetriesAndStopsAtItsDeadline() {
        ProcessDesired.RunJob run = new ProcessDesired.RunJob(5, "web.run-5", Run.KIND_RELEASE, "img", 6,
                List.of("bin/migrate"));
        Job job = (Job) ProcessManifests.desired(desired(List.of(), List.of(run)), null).get(0);
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(ProcessManifests.RUN_DEADLINE_SECONDS);
        assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("img");
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(Labels.APP, "web.run-5")
                .containsEntry(ProcessManifests.RUN, "5");
    }
}
