package dev.berth.deadletters;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import com.sun.net.httpserver.HttpServer;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sessions;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Platform admins see the job queues' dead letters and retry a dead job through its feature's rules: a dead
 * rollout is due again in its state (and refused with a 409 once a newer release superseded it), a dead delivery
 * is sent again, a dead build whose app lost its repository is refused; every retry is audited in the tenant's log.
 * Nobody else sees or retries them, through the API or the page.
 */
@QuarkusTest
class DeadJobResourceTest {
    private static final String DEAD = "/api/v1/admin/jobs/dead";
    @Inject
    EntityManager em;

    private Object[] row(String sql, Object id) {
        return QuarkusTransaction.requiringNew().call(() -> (Object[]) em.createNativeQuery(sql)
                .setParameter("id", id).getSingleResult());
    }

    private long id(String sql, Object... params) {
        return QuarkusTransaction.requiringNew().call(() -> {
            var q = em.createNativeQuery(sql);
            for (int i = 0; i < params.length; i++) {
                q.setParameter(i + 1, params[i]);
            }
            return ((Number) q.getSingleResult()).longValue();
        });
    }

    private void sql(String update, long id) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(update).setParameter("id", id)
                .executeUpdate());
    }

    private static String rolloutState(String slug) {
        return json().get(Api.app(slug, "web") + "/releases/rollout").then().statusCode(200).extract().path("state");
    }

    private static void release(String slug, String image) {
        json().body(Map.of("image", image)).post(Api.app(slug, "web") + "/releases").then().log().ifValidationFails()
                .statusCode(202);
    }

    private long latestRollout(String slug) {
        return id("select r.id from rollout r join app a on a.id = r.app_id join tenant t on t.id = a.tenant_id "
                + "where t.slug = ?1 and a.name = 'web' order by r.id desc limit 1", slug);
    }

    private static List<Map<String, Object>> dead(String queue) {
        return json().queryParam("queue", queue).get(DEAD).then().statusCode(200).extract().jsonPath().getList("$");
    }

    private static Map<String, Object> find(List<Map<String, Object>> jobs, long id) {
        return jobs.stream().filter(j -> ((Number) j.get("id")).longValue() == id).findFirst().orElse(null);
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void aDeadRolloutIsDueAgainInItsStateUntilANewerReleaseSupersedesIt() {
        String slug = Api.createTenant("deadjob");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> "succeeded".equals(rolloutState(slug)));
        release(slug, "registry.example.com/t/web:never-ready");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> "deploying".equals(rolloutState(slug)));
        long ro = latestRollout(slug);
        // As the engine leaves it after berth.rollouts.max-failures steps that threw (RolloutDeadLetterTest).
        sql("update rollout set attempts = 20, last_error = 'IllegalStateException: step broke', dead_at = now() "
                + "where id = :id", ro);

        Map<String, Object> listed = find(dead("rollouts"), ro);
        assertThat(listed).isNotNull().containsEntry("queue", "rollouts").containsEntry("tenant", slug)
                .containsEntry("app", "web").containsEntry("lastError", "IllegalStateException: step broke")
                .containsEntry("attempts", 20).containsKey("deadSince");
        assertThat((String) listed.get("subject")).contains("release #2").contains("deploying");
        assertThat(find(json().get(DEAD).then().statusCode(200).extract().jsonPath().getList("$"), ro))
                .as("listed among every queue's dead jobs").isNotNull();

        JsonPath retried = json().post("/api/v1/admin/jobs/rollouts/" + ro + "/retry").then().statusCode(200)
                .extract().jsonPath();
        assertThat(retried.getString("tenant")).isEqualTo(slug);
        assertThat(retried.getString("summary")).contains("release #2").contains("deploying");
        Object[] after = row("select dead_at, attempts, state from rollout where id = :id", ro);
        assertThat(after[0]).as("out of the dead letter").isNull();
        assertThat(((Number) after[1]).intValue()).isZero();
        assertThat(after[2]).isEqualTo("deploying");
        assertThat(find(dead("rollouts"), ro)).isNull();
        json().queryParam("action", "jobs.retry").get("/api/v1/tenants/" + slug + "/audit").then().statusCode(200)
                .body("summary[0]", containsString("release #2"));

        // Dead again; then a newer release supersedes it: a retry is refused, saying why, and changes nothing.
        sql("update rollout set attempts = 20, last_error = 'IllegalStateException: step broke', dead_at = now() "
                + "where id = :id", ro);
        release(slug, "registry.example.com/t/web:3");
        await().atMost(Duration.ofSeconds(10)).until(() -> "superseded".equals(
                row("select state, dead_at from rollout where id = :id", ro)[0]));
        assertProblem(json().post("/api/v1/admin/jobs/rollouts/" + ro + "/retry"), 409, "state")
                .body("detail", containsString("superseded by a newer release"));
        assertThat(row("select dead_at, attempts from rollout where id = :id", ro)[0]).isNotNull();
        json().delete("/api/v1/tenants/" + slug + "?confirm=" + slug).then().statusCode(204);
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void aDeadDeliveryIsSentAgainAndADeadBuildWithoutItsRepositoryIsRefused() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            hits.incrementAndGet();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        try {
            String slug = Api.createTenant("deadjob");
            Api.createApp(slug, Api.app("web"));
            long hook = json().body(Map.of("url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"))
                    .post(Api.app(slug, "web") + "/notifications").then().statusCode(201).extract().jsonPath()
                    .getLong("hook.id");
            long delivery = id("insert into notification_delivery (tenant_id, hook_id, event, payload, state, "
                    + "attempts, last_error, dead_at) select h.tenant_id, h.id, 'build.failed', '{}', 'failed', 6, "
                    + "'HTTP 503', now() from notification_hook h where h.id = ?1 returning id", hook);
            assertThat(find(dead("notifications"), delivery)).isNotNull().containsEntry("attempts", 6)
                    .containsEntry("lastError", "HTTP 503");

            json().post("/api/v1/admin/jobs/notifications/" + delivery + "/retry").then().statusCode(200)
                    .body("summary", containsString("build.failed"));
            await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(
                    row("select state, dead_at from notification_delivery where id = :id", delivery)[0]));
            assertThat(hits.get()).isEqualTo(1);
            assertThat(row("select dead_at, attempts from notification_delivery where id = :id", delivery)[0]).isNull();

            // A build that gave up after its attempts, of an app that has no repository (any more).
            long build = id("insert into build (tenant_id, app_id, number, state, trigger_kind, requested_by, "
                    + "git_ref, attempts, failure_reason, last_error, dead_at, finished_at) select a.tenant_id, a.id, "
                    + "1, 'failed', 'api', 'admin', 'main', 3, 'worker vanished', 'worker vanished', now(), now() "
                    + "from app a join tenant t on t.id = a.tenant_id where t.slug = ?1 and a.name = 'web' "
                    + "returning id", slug);
            assertThat(find(dead("builds"), build)).isNotNull().containsEntry("subject", "build #1");
            assertProblem(json().post("/api/v1/admin/jobs/builds/" + build + "/retry"), 409, "source")
                    .body("detail", containsString("has no repository"));
            assertThat(row("select dead_at, state from build where id = :id", build)[0]).as("still dead").isNotNull();
            json().delete("/api/v1/tenants/" + slug + "?confirm=" + slug).then().statusCode(204);
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void badQueuesAndIdsAreRefusedNamingTheField() {
        assertProblem(json().queryParam("queue", "nope").get(DEAD), 400, "queue")
                .body("detail", containsString("builds, notifications, rollouts"));
        json().post("/api/v1/admin/jobs/nope/1/retry").then().statusCode(404)
                .header("Content-Type", containsString("problem+json"));
        assertProblem(json().post("/api/v1/admin/jobs/builds/abc/retry"), 400, "id");
        json().post("/api/v1/admin/jobs/notifications/999999999/retry").then().statusCode(404)
                .body("detail", containsString("dead notification delivery"));
        // The API speaks JSON: a form post (RestAssured's default without a body) is refused as problem+json too.
        io.restassured.RestAssured.given().accept("application/json").post("/api/v1/admin/jobs/notifications/"
                + "999999999/retry").then().log().ifValidationFails().statusCode(415)
                .header("Content-Type", containsString("problem+json"));
    }

    @Test
    @TestSecurity(user = "alice")
    void aTenantOwnerNeitherSeesNorRetriesDeadJobs() {
        json().get(DEAD).then().statusCode(403);
        json().queryParam("queue", "builds").get(DEAD).then().statusCode(403);
        json().post("/api/v1/admin/jobs/rollouts/1/retry").then().statusCode(403);
        json().accept("text/html").get("/jobs").then().statusCode(403);
    }

    @Test
    void thePageListsDeadJobsAndItsRetryButtonSaysWhatItDoes() {
        Sessions admin = Sessions.login("admin", "/jobs");
        String slug = Api.uniqueSlug("deadpage");
        admin.withToken().contentType("application/json").body(Api.tenant(slug)).post("/api/v1/tenants").then()
                .statusCode(201);
        admin.withToken().contentType("application/json").body(Api.app("web")).post(Api.apps(slug)).then()
                .statusCode(201);
        // Nothing answers on port 9 of the loopback: the retried delivery fails again, later, with its schedule.
        long hook = admin.withToken().contentType("application/json").body(Map.of("url", "http://127.0.0.1:9/hook"))
                .post(Api.app(slug, "web") + "/notifications").then().statusCode(201).extract().jsonPath()
                .getLong("hook.id");
        long delivery = id("insert into notification_delivery (tenant_id, hook_id, event, payload, state, attempts, "
                + "last_error, dead_at) select h.tenant_id, h.id, 'build.succeeded', '{}', 'failed', 6, "
                + "'connection refused', now() from notification_hook h where h.id = ?1 returning id", hook);

        String page = admin.cookiesOnly().get("/jobs?queue=notifications").then().statusCode(200).extract().asString();
        assertThat(page).contains("id=\"job-notifications-" + delivery + "\"").contains("connection refused")
                .contains("action=\"/jobs/notifications/" + delivery + "/retry\"")
                .contains("Retry build.succeeded to hook " + hook)
                .contains("The delivery becomes <strong>pending</strong> again and is sent now");

        // A forged post (no CSRF token) is refused and changes nothing.
        assertThat(admin.cookiesOnly().post("/jobs/notifications/" + delivery + "/retry").statusCode())
                .isGreaterThanOrEqualTo(400);
        assertThat(row("select dead_at, state from notification_delivery where id = :id", delivery)[0]).isNotNull();

        admin.cookiesOnly().formParam("csrf-token", admin.csrfToken())
                .post("/jobs/notifications/" + delivery + "/retry").then().statusCode(303)
                .header("Location", containsString("/jobs?ok=retried"));
        assertThat(row("select dead_at, state from notification_delivery where id = :id", delivery)[0]).isNull();
        assertThat(admin.cookiesOnly().get("/jobs?ok=retried").asString())
                .contains("Retried: the job is in its queue again.")
                .doesNotContain("id=\"job-notifications-" + delivery + "\"");

        // Alice owns tenants but is no platform admin: the page is refused, and the navigation does not offer it.
        Sessions alice = Sessions.login("alice", "/tenants");
        alice.cookiesOnly().get("/jobs").then().statusCode(403);
        alice.cookiesOnly().formParam("csrf-token", alice.csrfToken()).post("/jobs/notifications/" + delivery
                + "/retry").then().statusCode(403);
        assertThat(alice.cookiesOnly().get("/tenants").asString()).doesNotContain("href=\"/jobs\"");
        admin.withToken().delete("/api/v1/tenants/" + slug + "?confirm=" + slug).then().statusCode(204);
    }
}
