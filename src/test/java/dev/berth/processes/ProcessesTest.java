package dev.berth.processes;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Processes, one-off runs and the release command through the JSON API on the sandbox region (the in-process API
 * server with the simulated kubelet, which runs Jobs to the exit code their command says): validation naming the
 * field with nothing stored, a process change as a release, the objects written, the quota, runs' results kept after
 * their Jobs are gone, and a failing release command that leaves the previous release serving.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class ProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @Inject
    Sandbox sandbox;

    static String processes(String slug) {
        return Api.app(slug, "web") + "/processes";
    }

    static String runs(String slug) {
        return Api.app(slug, "web") + "/runs";
    }

    static Map<String, Object> worker(String name, int replicas) {
        return new LinkedHashMap<>(Map.of("name", name, "type", "worker", "command", List.of("bin/worker"),
                "replicas", replicas));
    }

    static Map<String, Object> cron(String name, String schedule) {
        return new LinkedHashMap<>(Map.of("name", name, "type", "cron", "command", List.of("bin/report"),
                "schedule", schedule));
    }

    private static int releases(String slug) {
        return json().get(Api.app(slug, "web") + "/releases").then().statusCode(200).extract().path("size()");
    }

    @Test
    void invalidProcessesAreRefusedNamingTheFieldAndNothingIsStored() {
        String slug = Api.createTenant("procval");
        Api.createApp(slug, Api.app("web"));
        int before = releases(slug);
        assertProblem(json().body(Map.of("processes", List.of(cron("nightly", "0 3 * *")))).put(processes(slug)), 400,
                "processes[0].schedule");
        assertProblem(json().body(Map.of("processes", List.of(worker("jobs", 1), worker("jobs", 1))))
                .put(processes(slug)), 400, "processes[1].name");
        assertProblem(json().body(Map.of("processes", List.of(worker("jobs", 101)))).put(processes(slug)), 400,
                "processes[0].replicas");
        assertProblem(json().body(Map.of("processes", List.of(), "releaseCommand", List.of(" "))).put(processes(slug)),
                400, "releaseCommand[0]");
        Map<String, Object> unknown = worker("jobs", 1);
        unknown.put("image", "elsewhere");
        json().body(Map.of("processes", List.of(unknown))).put(processes(slug)).then().statusCode(400);
        json().body(Map.of("processes", List.of())).put(Api.app(slug, "nope") + "/processes").then().statusCode(404);
        json().get(processes(slug)).then().statusCode(200).body("processes.size()", equalTo(0))
                .body("releaseCommand", nullValue());
        assertThat(releases(slug)).as("no release for a refused change").isEqualTo(before);
    }

    @Test
    void processesAreAReleaseAndBecomeAWorkerDeploymentAndACronJob() {
        String slug = Api.createTenant("proc");
        Api.createApp(slug, Api.app("web"));
        String ns = Names.namespace(slug);
        int before = releases(slug);
        json().body(Map.of("processes", List.of(worker("jobs", 2), cron("nightly", "0 3 * * *"))))
                .put(processes(slug)).then().log().ifValidationFails().statusCode(200)
                .body("processes[0].resources.cpuRequest", equalTo("100m"))
                .body("processes[1].concurrencyPolicy", equalTo("Forbid"))
                .body("regions[0].cronJobApiVersion", equalTo("batch/v1"));
        assertThat(releases(slug)).isEqualTo(before + 1);
        json().get(Api.app(slug, "web") + "/releases/" + (before + 1)).then().statusCode(200)
                .body("configDiff.'process.jobs'", containsString("worker x2"));
        json().get(Api.app(slug, "web") + "/history").then().body("action", hasItem("app.processes"));
        var client = sandbox.client();
        await().atMost(WAIT).untilAsserted(() -> {
            Deployment d = client.apps().deployments().inNamespace(ns).withName("web.jobs").get();
            assertThat(d).isNotNull();
            assertThat(d.getSpec().getReplicas()).isEqualTo(2);
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(Labels.APP, "web.jobs")
                    .containsEntry(Labels.RELEASE, Integer.toString(before + 1));
            CronJob c = client.batch().v1().cronjobs().inNamespace(ns).withName("web.nightly").get();
            assertThat(c).isNotNull();
            assertThat(c.getSpec().getSchedule()).isEqualTo("0 3 * * *");
        });
        sandbox.settle();
        assertThat(sandbox.resyncWrites(slug)).as("a resync writes nothing").isZero();
        // The web process is untouched: its pods still number the app's replicas.
        json().get(Api.app(slug, "web")).then().body("status[0].desired", equalTo(1));

        // Without processes the objects go.
        json().body(Map.of("processes", List.of())).put(processes(slug)).then().statusCode(200);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace(ns).withName("web.jobs").get()).isNull();
            assertThat(client.batch().v1().cronjobs().inNamespace(ns).withName("web.nightly").get()).isNull();
        });
    }

    private static int podsInUse(String slug) {
        return json().get("/api/v1/tenants/" + slug + "/usage").then().statusCode(200).extract()
                .path("measures.find { it.name == 'pods' }.used");
    }

    @Test
    void workersAndCronsCountAgainstTheQuotaAndAChangeWithoutRoomIsRefusedNamingTheProcess() {
        String slug = Api.uniqueSlug("procquota");
        Map<String, Object> t = new LinkedHashMap<>(Api.tenant(slug));
        t.put("pods", 5);
        json().body(t).post("/api/v1/tenants").then().statusCode(201);
        Api.createApp(slug, Api.app("web"));
        json().body(Map.of("processes", List.of(worker("jobs", 3), cron("nightly", "*/5 * * * *"))))
                .put(processes(slug)).then().statusCode(200);
        assertThat(podsInUse(slug)).as("1 web + 3 workers + 1 cron").isEqualTo(5);
        assertProblem(json().body(Map.of("processes", List.of(worker("jobs", 3), cron("nightly", "*/5 * * * *"),
                worker("mail", 1)))).put(processes(slug)), 422, "processes[2].replicas")
                .body("limit", equalTo("pods"));
        // Shrinking one process makes room for another.
        json().body(Map.of("processes", List.of(worker("jobs", 2), cron("nightly", "*/5 * * * *"), worker("mail", 1))))
                .put(processes(slug)).then().statusCode(200);
        assertThat(podsInUse(slug)).isEqualTo(5);
        // A run needs one more pod: refused naming the command.
        assertProblem(json().body(Map.of("command", List.of("bin/task"))).post(runs(slug)), 422, "command");
    }

    @Test
    void aRollbackToAReleaseWithMoreWorkersThanTheQuotaLeavesRoomForIsRefusedAndNothingChanges() {
        String slug = Api.uniqueSlug("procback");
        Map<String, Object> t = new LinkedHashMap<>(Api.tenant(slug));
        t.put("pods", 5);
        json().body(t).post("/api/v1/tenants").then().statusCode(201);
        Api.createApp(slug, Api.app("web"));
        json().body(Map.of("processes", List.of(worker("jobs", 3)))).put(processes(slug)).then().statusCode(200);
        int withThreeWorkers = releases(slug);
        json().body(Map.of("processes", List.of(worker("jobs", 1)))).put(processes(slug)).then().statusCode(200);
        json().body(Map.of("replicas", 3)).patch(Api.app(slug, "web")).then().statusCode(200);
        assertThat(podsInUse(slug)).as("3 web + 1 worker").isEqualTo(4);
        int before = releases(slug);

        // Release #withThreeWorkers runs 3 workers beside the 3 web replicas now asked for: 6 pods of 5.
        assertProblem(json().post(Api.app(slug, "web") + "/releases/" + withThreeWorkers + "/rollback"), 422,
                "processes[0].replicas").body("limit", equalTo("pods"));
        assertThat(releases(slug)).as("no release recorded").isEqualTo(before);
        json().get(processes(slug)).then().statusCode(200).body("processes[0].replicas", equalTo(1));
        assertThat(podsInUse(slug)).isEqualTo(4);

        // With room made, the same rollback goes through and brings the 3 workers back.
        json().body(Map.of("replicas", 2)).patch(Api.app(slug, "web")).then().statusCode(200);
        json().post(Api.app(slug, "web") + "/releases/" + withThreeWorkers + "/rollback").then().statusCode(202);
        json().get(processes(slug)).then().statusCode(200).body("processes[0].replicas", equalTo(3));
    }

    @Test
    void aRunsExitCodeIsKeptAfterItsJobIsGone() {
        String slug = Api.createTenant("procrun");
        Api.createApp(slug, Api.app("web"));
        String ns = Names.namespace(slug);
        assertProblem(json().body(Map.of()).post(runs(slug)), 400, "command");
        assertProblem(json().body(Map.of("command", List.of("x"), "region", "mars")).post(runs(slug)), 400, "region");
        int failing = json().body(Map.of("command", List.of("sh", "-c", "exit 3"))).post(runs(slug)).then()
                .log().ifValidationFails().statusCode(201).body("state", equalTo("pending"))
                .body("region", equalTo(Sandbox.REGION)).extract().path("id");
        int ok = json().body(Map.of("command", List.of("bin/rake", "db:seed"))).post(runs(slug)).then()
                .statusCode(201).extract().path("id");
        await().atMost(WAIT).untilAsserted(() -> {
            json().get(runs(slug) + "/" + failing).then().statusCode(200).body("state", equalTo("failed"))
                    .body("exitCode", equalTo(3)).body("reason", containsString("exited with code 3"));
            json().get(runs(slug) + "/" + ok).then().statusCode(200).body("state", equalTo("succeeded"))
                    .body("exitCode", equalTo(0));
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(sandbox.client().batch().v1().jobs().inNamespace(ns)
                .withLabel(ProcessManifests.RUN).list().getItems()).as("Jobs deleted once recorded").isEmpty());
        json().get(runs(slug) + "/" + failing).then().body("exitCode", equalTo(3)).body("finishedAt",
                org.hamcrest.Matchers.notNullValue());
        json().get(runs(slug)).then().statusCode(200).body("[0].id", equalTo(ok)).body("[1].id", equalTo(failing));
        json().get(runs(slug) + "?limit=0").then().statusCode(400);
        json().get(runs(slug) + "/999999999").then().statusCode(404);
        assertThat(podsInUse(slug)).as("finished runs hold no quota").isEqualTo(1);
        json().get(Api.app(slug, "web") + "/history").then().body("action", hasItem("app.run"));
    }

    @Test
    void aFailingReleaseCommandFailsTheRolloutAndThePreviousReleaseKeepsServing() {
        String slug = Api.createTenant("procrel");
        Api.createApp(slug, Api.app("web"));
        String ns = Names.namespace(slug);
        String app = Api.app(slug, "web");
        await().atMost(WAIT).until(() -> "succeeded".equals(json().get(app + "/releases/rollout").then().extract()
                .path("state")));
        int live = releases(slug);

        // A release command that succeeds lets its release roll out.
        json().body(Map.of("processes", List.of(), "releaseCommand", List.of("bin/migrate", "up")))
                .put(processes(slug)).then().statusCode(200);
        await().atMost(WAIT).untilAsserted(() -> json().get(app + "/releases/rollout").then()
                .body("release", equalTo(live + 1)).body("state", equalTo("succeeded")));
        json().get(runs(slug)).then().body("[0].kind", equalTo("release")).body("[0].exitCode", equalTo(0))
                .body("[0].release", equalTo(live + 1));

        // One that fails stops the rollout before the release takes traffic.
        json().body(Map.of("processes", List.of(worker("jobs", 1)), "releaseCommand", List.of("sh", "-c", "exit 4")))
                .put(processes(slug)).then().statusCode(200);
        await().atMost(WAIT).untilAsserted(() -> json().get(app + "/releases/rollout").then()
                .body("release", equalTo(live + 2)).body("state", equalTo("failed"))
                .body("reason", containsString("exited with code 4")));
        json().get(app + "/releases/" + (live + 2)).then().body("status", equalTo("failed"));
        json().get(runs(slug)).then().body("[0].kind", equalTo("release")).body("[0].exitCode", equalTo(4));
        // The app is as the previous release had it, and so is the cluster: no worker ever started.
        json().get(processes(slug)).then().body("processes.size()", equalTo(0))
                .body("releaseCommand", equalTo(List.of("bin/migrate", "up")));
        sandbox.settle();
        assertThat(sandbox.client().apps().deployments().inNamespace(ns).withName("web.jobs").get()).isNull();
        Deployment web = sandbox.client().apps().deployments().inNamespace(ns).withName("web").get();
        assertThat(web.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(Labels.RELEASE,
                Integer.toString(live + 1));
    }
}
