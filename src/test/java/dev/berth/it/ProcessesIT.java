package dev.berth.it;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.processes.ProcessManifests;
import dev.berth.reconcile.RegionWorkers;
import dev.berth.testsupport.Api;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Processes, runs and the release command on the real apiserver (v1.20: CronJobs only in batch/v1beta1, Jobs in
 * batch/v1), written by Berth with the rights of {@code deploy/rbac.yaml}: the Deployment controller and the test
 * kubelet make a worker ready, the server accepts the CronJob with its schedule, the Job controller runs a one-off
 * run's pod, whose exit code (0, and 3) Berth keeps after deleting the Job, a resync writes nothing, and a release
 * whose command fails leaves the previous release serving.
 */
@QuarkusTest
@TestProfile(RealCluster.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class ProcessesIT {
    static final Duration WAIT = Duration.ofSeconds(90);
    private final ControlPlane cp = ControlPlane.get();
    private final KubernetesClient kube = cp.admin();
    @Inject
    RegionWorkers workers;

    private List<String> writes(Instant since, String ns) {
        return cp.writes(since, ns).stream().map(w -> w.verb() + " " + w.resource() + "/" + w.name() + " " + w.code())
                .toList();
    }

    private static String app(String slug) {
        return Api.app(slug, "web");
    }

    @Test
    void aWorkerBecomesReadyACronJobIsAcceptedInV1beta1AndRunsKeepTheirExitCodes() {
        String slug = Api.createTenant("proc");
        String ns = Names.namespace(slug);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 1));
        StrategiesIT.awaitRollout(slug, "succeeded");
        Instant start = Instant.now();
        json().body(Map.of("processes", List.of(
                Map.of("name", "jobs", "type", "worker", "command", List.of("bin/worker"), "replicas", 2),
                Map.of("name", "nightly", "type", "cron", "command", List.of("bin/report"), "schedule", "0 3 * * *",
                        "concurrencyPolicy", "Replace", "successfulJobsHistoryLimit", 2))))
                .put(app(slug) + "/processes").then().log().ifValidationFails().statusCode(200)
                .body("regions[0].cronJobApiVersion", equalTo("batch/v1beta1"));

        await().atMost(WAIT).untilAsserted(() -> {
            Deployment d = kube.apps().deployments().inNamespace(ns).withName("web.jobs").get();
            assertThat(d).isNotNull();
            assertThat(d.getStatus()).isNotNull();
            assertThat(d.getStatus().getReadyReplicas()).as("ready worker pods").isEqualTo(2);
        });
        CronJob cron = kube.batch().v1beta1().cronjobs().inNamespace(ns).withName("web.nightly").get();
        assertThat(cron.getSpec().getSchedule()).isEqualTo("0 3 * * *");
        assertThat(cron.getSpec().getConcurrencyPolicy()).isEqualTo("Replace");
        assertThat(cron.getSpec().getSuccessfulJobsHistoryLimit()).isEqualTo(2);
        assertThat(writes(start, ns)).as("created by Berth's own account")
                .contains("create deployments/web.jobs 201", "create cronjobs/web.nightly 201");
        // The web process still counts only its own pod.
        json().get(app(slug)).then().body("status[0].desired", equalTo(1)).body("status[0].ready", equalTo(1));

        int ok = json().body(Map.of("command", List.of("bin/rake", "db:seed"))).post(app(slug) + "/runs").then()
                .log().ifValidationFails().statusCode(201).extract().path("id");
        int three = json().body(Map.of("command", List.of("sh", "-c", "exit 3"))).post(app(slug) + "/runs").then()
                .statusCode(201).extract().path("id");
        await().atMost(WAIT).untilAsserted(() -> {
            json().get(app(slug) + "/runs/" + ok).then().body("state", equalTo("succeeded")).body("exitCode", equalTo(0));
            json().get(app(slug) + "/runs/" + three).then().body("state", equalTo("failed")).body("exitCode", equalTo(3));
        });
        // Recorded, then deleted: the result stays with Berth.
        await().atMost(WAIT).untilAsserted(() -> assertThat(kube.batch().v1().jobs().inNamespace(ns)
                .withLabel(ProcessManifests.RUN).list().getItems()).isEmpty());
        json().get(app(slug) + "/runs/" + three).then().body("exitCode", equalTo(3))
                .body("reason", containsString("exited with code 3"));
        assertThat(writes(start, ns)).contains("create jobs/web.run-" + ok + " 201", "delete jobs/web.run-" + ok + " 200");

        workers.awaitIdle(RealCluster.REGION);
        assertThat(workers.resyncNow(RealCluster.REGION).writes()).as("a resync finds nothing to write").isZero();
    }

    @Test
    void aReleaseWhoseCommandFailsLeavesThePreviousReleaseServing() {
        String slug = Api.createTenant("procrel");
        String ns = Names.namespace(slug);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 1));
        StrategiesIT.awaitRollout(slug, "succeeded");
        json().body(Map.of("processes", List.of(), "releaseCommand", List.of("bin/migrate")))
                .put(app(slug) + "/processes").then().statusCode(200);
        StrategiesIT.awaitRollout(slug, "succeeded");
        int live = json().get(app(slug) + "/releases/rollout").then().extract().path("release");

        // A release adding a worker whose command fails (the test kubelet ends "exit 5" with 5): it never takes
        // traffic, its worker never starts, and the region keeps running the previous release.
        Instant change = Instant.now();
        json().body(Map.of("processes", List.of(Map.of("name", "jobs", "type", "worker", "command", List.of("bin/worker"))),
                "releaseCommand", List.of("sh", "-c", "migrate; exit 5"))).put(app(slug) + "/processes").then()
                .statusCode(200);
        StrategiesIT.awaitRollout(slug, "failed");
        json().get(app(slug) + "/releases/rollout").then().body("release", equalTo(live + 1))
                .body("reason", containsString("exited with code 5"));
        json().get(app(slug) + "/runs").then().body("[0].kind", equalTo("release")).body("[0].exitCode", equalTo(5));
        workers.awaitIdle(RealCluster.REGION);
        Deployment web = kube.apps().deployments().inNamespace(ns).withName("web").get();
        assertThat(web.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(Labels.RELEASE,
                Integer.toString(live));
        assertThat(web.getStatus().getReadyReplicas()).isEqualTo(1);
        assertThat(kube.apps().deployments().inNamespace(ns).withName("web.jobs").get()).isNull();
        assertThat(writes(change, ns)).as("only the release command's Job was written")
                .allMatch(w -> w.contains("jobs/web.run-"));
        json().get(app(slug) + "/processes").then().body("processes.size()", equalTo(0))
                .body("releaseCommand", equalTo(List.of("bin/migrate")));
    }
}
