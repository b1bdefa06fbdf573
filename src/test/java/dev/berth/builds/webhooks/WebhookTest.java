package dev.berth.builds.webhooks;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.builds.Build;
import dev.berth.builds.BuildEndToEndTest;
import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import dev.berth.testsupport.Users;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Push webhooks as Git hosts send them: signed with the app's secret, without any login. */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class WebhookTest {
    record App(String tenant, String secret, String sha, String hookBase) {
    }

    private static App connectedApp() {
        String tenant = Api.createTenant("hook");
        Api.createApp(tenant, Api.app("web"));
        // A repository with nothing to build: builds the webhook starts end quickly and say what to add.
        String sha = GitRepos.commit(tenant + ".git", "Only a readme", Map.of("README.md", "# web\n"));
        json().body(Map.of("repoUrl", BuildInfra.gitUrl(tenant + ".git"), "ref", "main"))
                .put(Api.app(tenant, "web") + "/source").then().statusCode(200);
        var setup = json().get(Api.app(tenant, "web") + "/source/webhook").then().statusCode(200).extract().jsonPath();
        assertThat(setup.getList("hosts.host")).containsExactly("GitHub", "GitLab", "Gitea / Forgejo");
        assertThat(setup.getString("hosts[0].url")).endsWith("/hooks/" + tenant + "/web/github");
        return new App(tenant, setup.getString("secret"), sha, "/hooks/" + tenant + "/web/");
    }

    private static String push(String ref, String after) {
        return "{\"ref\":\"" + ref + "\",\"after\":\"" + after + "\",\"repository\":{\"full_name\":\"team/web\"}}";
    }

    private static RequestSpecification github(String secret, String body, String delivery) {
        return given().contentType("application/json").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", delivery)
                .header("X-Hub-Signature-256", "sha256=" + WebhookSignatures.hmacHex(secret,
                        body.getBytes(StandardCharsets.UTF_8))).body(body);
    }

    private static List<Integer> builds(String tenant) {
        Users.actAsAdmin();
        List<Integer> numbers = json().get(Api.app(tenant, "web") + "/builds").then().statusCode(200).extract()
                .jsonPath().getList("number");
        Users.actByCredentials();
        return numbers;
    }

    @Test
    void aSignedGitHubPushStartsOneBuildOfThePushedCommitWithoutALogin() {
        App app = connectedApp();
        Users.actByCredentials(); // Git hosts have no session and no token
        String body = push("refs/heads/main", app.sha());
        String delivery = UUID.randomUUID().toString();
        github(app.secret(), body, delivery).post(app.hookBase() + "github").then().statusCode(202)
                .body("status", equalTo("queued")).body("build", equalTo(1));
        // A redelivery of the same delivery id is acknowledged and builds nothing.
        github(app.secret(), body, delivery).post(app.hookBase() + "github").then().statusCode(200)
                .body("status", equalTo("duplicate"));
        // Pushes to other branches are acknowledged and ignored.
        github(app.secret(), push("refs/heads/feature", app.sha()), UUID.randomUUID().toString())
                .post(app.hookBase() + "github").then().statusCode(200).body("status", equalTo("ignored"));
        assertThat(builds(app.tenant())).containsExactly(1);
        Users.actAsAdmin();
        var build = json().get(Api.app(app.tenant(), "web") + "/builds/1").then().extract().jsonPath();
        assertThat(build.getString("requestedSha")).isEqualTo(app.sha());
        assertThat(build.getString("trigger")).isEqualTo("webhook");
        // It ends quickly: the repository holds nothing Berth can build, and the reason says what to add.
        var done = BuildEndToEndTest.waitForBuild(app.tenant(), "web", 1);
        assertThat(done.getString("state")).isEqualTo("failed");
        assertThat(done.getString("failureReason")).contains("no Dockerfile at 'Dockerfile'", "executable JAR",
                "index.html");
    }

    @Test
    void theSamePushSentAgainUnderANewDeliveryIdAnswersWithTheBuildItStarted() {
        App app = connectedApp();
        Users.actByCredentials();
        String body = push("refs/heads/main", app.sha());
        github(app.secret(), body, UUID.randomUUID().toString()).post(app.hookBase() + "github").then().statusCode(202)
                .body("status", equalTo("queued")).body("build", equalTo(1));
        // A replay of the signed body: same app, ref and commit, a new delivery id; the same shape, 200, build #1.
        github(app.secret(), body, UUID.randomUUID().toString()).post(app.hookBase() + "github").then().statusCode(200)
                .body("status", equalTo("duplicate")).body("build", equalTo(1))
                .body("detail", equalTo("build #1 of " + app.sha().substring(0, 12)
                        + " was already started by an earlier delivery of this push"));
        // The same push through another host's endpoint is the same push.
        given().contentType("application/json").header("X-Gitea-Event", "push")
                .header("X-Gitea-Delivery", UUID.randomUUID().toString())
                .header("X-Gitea-Signature", WebhookSignatures.hmacHex(app.secret(), body.getBytes(StandardCharsets.UTF_8)))
                .body(body).post(app.hookBase() + "gitea").then().statusCode(200).body("build", equalTo(1));
        assertThat(builds(app.tenant())).containsExactly(1);
        // Another commit on the same branch is a new push.
        String next = GitRepos.commit(app.tenant() + ".git", "More", Map.of("NOTES.md", "more\n"));
        github(app.secret(), push("refs/heads/main", next), UUID.randomUUID().toString())
                .post(app.hookBase() + "github").then().statusCode(202).body("build", equalTo(2));
        // Once the window (berth.builds.webhooks.replay-window, 10 min) has passed, the push builds again.
        QuarkusTransaction.requiringNew().run(() -> Build.update("queuedAt = ?1 where appId = ?2",
                Instant.now().minus(Duration.ofMinutes(11)), dev.berth.apps.App.findByName(Tenant.findBySlug(app.tenant()).id, "web").id));
        github(app.secret(), body, UUID.randomUUID().toString()).post(app.hookBase() + "github").then().statusCode(202)
                .body("status", equalTo("queued")).body("build", equalTo(3));
        assertThat(builds(app.tenant())).containsExactly(3, 2, 1);
    }

    @Test
    void identicalDeliveriesArrivingAtTheSameInstantStartOneBuild() throws Exception {
        App app = connectedApp();
        Users.actByCredentials();
        String body = push("refs/heads/main", app.sha());
        int deliveries = 6;
        ExecutorService pool = Executors.newFixedThreadPool(deliveries);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < deliveries; i++) {
                RequestSpecification request = github(app.secret(), body, UUID.randomUUID().toString());
                answers.add(pool.submit(() -> {
                    start.await();
                    return request.post(app.hookBase() + "github");
                }));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            Set<Integer> numbers = new HashSet<>();
            for (Future<Response> f : answers) {
                Response r = f.get(60, TimeUnit.SECONDS);
                statuses.add(r.statusCode());
                numbers.add(r.jsonPath().getInt("build"));
            }
            assertThat(statuses).containsOnly(202, 200).filteredOn(s -> s == 202).hasSize(1);
            assertThat(numbers).containsExactly(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(builds(app.tenant())).containsExactly(1);
    }

    @Test
    void forgedUnsignedOversizedAndMalformedDeliveriesStartNothing() {
        App app = connectedApp();
        Users.actByCredentials();
        String body = push("refs/heads/main", app.sha());
        // Wrong secret, tampered body, no signature at all: 401.
        github("not-the-secret", body, "d1").post(app.hookBase() + "github").then().statusCode(401);
        github(app.secret(), body, "d2").body(body.replace("main", "main ")).post(app.hookBase() + "github").then()
                .statusCode(401);
        given().contentType("application/json").header("X-GitHub-Event", "push").header("X-GitHub-Delivery", "d3")
                .body(body).post(app.hookBase() + "github").then().statusCode(401);
        // An app that does not exist answers the same as a wrong signature.
        github(app.secret(), body, "d4").post("/hooks/" + app.tenant() + "/nope/github").then().statusCode(401);
        // Oversized bodies: 413 before anything else.
        String huge = "{\"ref\":\"refs/heads/main\",\"pad\":\"" + "x".repeat(70_000) + "\"}";
        github(app.secret(), huge, "d5").post(app.hookBase() + "github").then().statusCode(413);
        // Correctly signed but not JSON, or a push without a commit: 400.
        github(app.secret(), "not json{", "d6").post(app.hookBase() + "github").then().statusCode(400);
        github(app.secret(), "{\"ref\":\"refs/heads/main\"}", "d7").post(app.hookBase() + "github").then()
                .statusCode(400);
        // GitLab: the token header, compared in constant time.
        given().contentType("application/json").header("X-Gitlab-Event", "Push Hook")
                .header("X-Gitlab-Token", "wrong").header("X-Gitlab-Event-UUID", "g1").body(body)
                .post(app.hookBase() + "gitlab").then().statusCode(401);
        assertThat(builds(app.tenant())).isEmpty();
    }

    @Test
    void gitLabAndGiteaPushesAreVerifiedTheirWay() {
        App app = connectedApp();
        Users.actByCredentials();
        String body = push("refs/heads/main", app.sha());
        given().contentType("application/json").header("X-Gitlab-Event", "Push Hook")
                .header("X-Gitlab-Token", app.secret()).header("X-Gitlab-Event-UUID", UUID.randomUUID().toString())
                .body(body).post(app.hookBase() + "gitlab").then().statusCode(202).body("build", equalTo(1));
        // A later push (the same one again would answer with build #1).
        body = push("refs/heads/main", GitRepos.commit(app.tenant() + ".git", "Later", Map.of("LATER.md", "later\n")));
        given().contentType("application/json").header("X-Gitea-Event", "push")
                .header("X-Gitea-Delivery", UUID.randomUUID().toString())
                .header("X-Gitea-Signature", WebhookSignatures.hmacHex(app.secret(), body.getBytes(StandardCharsets.UTF_8)))
                .body(body).post(app.hookBase() + "gitea").then().statusCode(202).body("build", equalTo(2));
        given().contentType("application/json").header("X-Forgejo-Event", "push")
                .header("X-Forgejo-Delivery", UUID.randomUUID().toString())
                .header("X-Forgejo-Signature", WebhookSignatures.hmacHex("wrong", body.getBytes(StandardCharsets.UTF_8)))
                .body(body).post(app.hookBase() + "gitea").then().statusCode(401);
        assertThat(builds(app.tenant())).containsExactly(2, 1);
    }
}
