package dev.berth.builds;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.apps.App;
import dev.berth.quotas.QuotaService;
import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import dev.berth.testsupport.RowLocks;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The queue in PostgreSQL: builds wait for their tenant's concurrent-build limit, can be cancelled while queued,
 * and a build left running by a Berth that died is queued again or failed with a reason, never stuck.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class BuildQueueTest {
    @Inject
    BuildQueue queue;
    @Inject
    QuotaService quotas;

    /** A tenant allowed one build at a time, with an app whose repository holds nothing buildable (builds end fast). */
    private static String tenantWithApp(String prefix) {
        String slug = Api.uniqueSlug(prefix);
        json().body(Map.of("slug", slug, "displayName", "Q", "cpu", "4", "memory", "8Gi", "pods", 20, "apps", 5,
                "overrides", Map.of("concurrentBuilds", 1))).post("/api/v1/tenants").then().statusCode(201);
        Api.createApp(slug, Api.app("web"));
        GitRepos.commit(slug + ".git", "Readme only", Map.of("README.md", "hello\n"));
        json().body(Map.of("repoUrl", BuildInfra.gitUrl(slug + ".git"), "ref", "main"))
                .put(Api.app(slug, "web") + "/source").then().statusCode(200);
        return slug;
    }

    /** A build row as a worker of another (now dead or busy) Berth instance would have left it. */
    private static long runningBuild(String slug, int attempts, Instant heartbeat) {
        return runningBuild(slug, attempts, heartbeat, Instant.now().minusSeconds(300));
    }

    private static long runningBuild(String slug, int attempts, Instant heartbeat, Instant started) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Tenant t = Tenant.findBySlug(slug);
            App a = App.findByName(t.id, "web");
            Build b = new Build();
            b.tenantId = t.id;
            b.appId = a.id;
            b.number = Build.nextNumber(a.id);
            b.state = BuildState.BUILDING;
            b.triggerKind = "api";
            b.requestedBy = "admin";
            b.gitRef = "main";
            b.attempts = attempts;
            b.worker = "gone-host/1234";
            b.heartbeatAt = heartbeat;
            b.startedAt = started;
            b.persist();
            return b.id;
        });
    }

    private static JsonPath build(String slug, int number) {
        return json().get(Api.app(slug, "web") + "/builds/" + number).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aBuildLeftRunningByADeadBerthRunsAgainThenFailsWithAReasonAfterTooManyAttempts() {
        String slug = tenantWithApp("rec");
        runningBuild(slug, 1, Instant.now().minusSeconds(600));
        assertThat(queue.recoverStale()).isGreaterThanOrEqualTo(1);
        JsonPath retried = BuildEndToEndTest.waitForBuild(slug, "web", 1);
        assertThat(retried.getInt("attempts")).isEqualTo(2);
        assertThat(retried.getString("state")).isEqualTo("failed");
        assertThat(retried.getString("failureReason")).contains("nothing to build"); // it really ran again
        assertThat(given().accept("text/plain").get(Api.app(slug, "web") + "/builds/1/log").asString())
                .contains("Berth stopped while this build ran (worker gone-host/1234); queued again (attempt 2 of 2)");

        runningBuild(slug, 2, Instant.now().minusSeconds(600));
        queue.recoverStale();
        JsonPath given = build(slug, 2);
        assertThat(given.getString("state")).isEqualTo("failed");
        assertThat(given.getString("failureReason"))
                .isEqualTo("Berth stopped while this build ran (worker gone-host/1234); gave up after 2 attempts");
    }

    /**
     * A Berth died 200 s after starting a build, and came back 600 s later: only those 200 s (up to the dead
     * attempt's last heartbeat) are build time, not the time it was down, and the build counts once although it
     * ran twice.
     */
    @Test
    void recoveryBillsOnlyTheTimeTheDeadAttemptRanAndCountsTheBuildOnce() {
        String slug = tenantWithApp("bill");
        long tenantId = QuarkusTransaction.requiringNew().call(() -> Tenant.findBySlug(slug).id);
        runningBuild(slug, 1, Instant.now().minusSeconds(600), Instant.now().minusSeconds(800));
        assertThat(queue.recoverStale()).isGreaterThanOrEqualTo(1);
        JsonPath retried = BuildEndToEndTest.waitForBuild(slug, "web", 1);
        assertThat(retried.getInt("attempts")).isEqualTo(2);
        assertThat(retried.getString("failureReason")).contains("nothing to build");
        JsonPath usage = await().atMost(Duration.ofSeconds(10)).until(() -> json()
                .get("/api/v1/tenants/" + slug + "/usage").then().statusCode(200).extract().jsonPath(),
                u -> u.getInt("buildsThisMonth.builds") > 0);
        assertThat(usage.getInt("buildsThisMonth.builds")).isEqualTo(1);
        // 200 s of the dead attempt plus the few seconds of the second one.
        assertThat(quotas.buildTimeThisMonth(tenantId)).isBetween(Duration.ofSeconds(200), Duration.ofSeconds(215));
        assertThat(usage.getLong("buildsThisMonth.minutes")).isEqualTo(4);
        assertThat(usage.getLong("measures.find { it.name == 'buildMinutesPerMonth' }.used")).isEqualTo(4);
    }

    @Test
    void aTenantAtItsConcurrentBuildLimitWaitsAndAQueuedBuildCanBeCancelled() {
        String slug = tenantWithApp("lim");
        long tenantId = QuarkusTransaction.requiringNew().call(() -> Tenant.findBySlug(slug).id);
        // Another instance runs a build of this tenant right now, holding the tenant's only build slot.
        long busy = runningBuild(slug, 1, Instant.now().plusSeconds(3600));
        QuarkusTransaction.requiringNew().run(() -> quotas.checkBuildStart(tenantId, BuildQueue.slot(busy)));

        int waiting = json().post(Api.app(slug, "web") + "/builds").then().statusCode(201).extract().path("number");
        int cancelled = json().post(Api.app(slug, "web") + "/builds").then().statusCode(201).extract().path("number");
        queue.wake();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> build(slug, waiting).getString("state").equals("queued"));
        json().post(Api.app(slug, "web") + "/builds/" + cancelled + "/cancel").then().statusCode(200);
        assertThat(build(slug, cancelled).getString("state")).isEqualTo("cancelled");
        json().post(Api.app(slug, "web") + "/builds/" + cancelled + "/cancel").then().statusCode(409);

        // The running build ends: its slot is freed and the waiting build starts.
        QuarkusTransaction.requiringNew().run(() -> {
            Build.update("state = 'succeeded', finishedAt = ?1 where id = ?2", Instant.now(), busy);
            quotas.buildFinished(tenantId, BuildQueue.slot(busy), Duration.ofSeconds(30));
        });
        queue.wake();
        JsonPath ran = BuildEndToEndTest.waitForBuild(slug, "web", waiting);
        assertThat(ran.getString("state")).isEqualTo("failed");
        assertThat(ran.getString("failureReason")).contains("nothing to build");
        assertThat(build(slug, cancelled).getString("state")).isEqualTo("cancelled");
        assertThat(quotas.buildTimeThisMonth(tenantId)).isGreaterThanOrEqualTo(Duration.ofSeconds(30));
    }

    /**
     * A cancel that comes while the worker records the build's progress is not lost: the worker's write of the row
     * (read before the cancel, committed after it) used to put the cancel flag back to false, so the build ran on.
     */
    @Test
    void aCancelRequestedWhileTheWorkerRecordsProgressIsKept() throws Exception {
        String slug = tenantWithApp("lost");
        long id = runningBuild(slug, 1, Instant.now().plusSeconds(3600));
        int number = QuarkusTransaction.requiringNew().call(() -> Build.<Build>findById(id).number);
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> BuildRunner.record(id, b -> {
            read.countDown();
            try {
                // Without the row lock the cancel commits in this window; with it, the cancel waits for this commit.
                cancelled.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            b.moveTo(BuildState.PUSHING);
        }));
        assertThat(read.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Integer> cancel = CompletableFuture.supplyAsync(() -> json()
                .post(Api.app(slug, "web") + "/builds/" + number + "/cancel").then().extract().statusCode());
        cancel.thenRun(cancelled::countDown);
        worker.get(30, TimeUnit.SECONDS);
        assertThat(cancel.get(30, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(queue.heartbeat(id)).as("the worker sees the cancel at its next heartbeat").isTrue();
        assertThat(build(slug, number).getString("state")).isEqualTo("pushing");
    }

    /**
     * A build requested while a release of the app commits (the previous build's, say) is queued: the request read
     * the app before that commit, and locking its stale copy failed on the app's version (500).
     */
    @Test
    void aBuildRequestedWhileAReleaseOfTheAppCommitsIsQueued() throws Exception {
        String slug = tenantWithApp("rel");
        CompletableFuture<Integer> post = QuarkusTransaction.requiringNew().call(() -> {
            // What a release does to the app: a new image, so a new version, and the row locked until it commits.
            App a = App.findByName(Tenant.findBySlug(slug).id, "web");
            a.image = "registry.example.com/other:2";
            App.getEntityManager().flush();
            CompletableFuture<Integer> request = CompletableFuture.supplyAsync(() -> json()
                    .post(Api.app(slug, "web") + "/builds").then().extract().statusCode());
            RowLocks.awaitWaiterOn(RowLocks.backend(), request);
            return request;
        });
        assertThat(post.get(30, TimeUnit.SECONDS)).isEqualTo(201);
    }
}
