package dev.berth.notify;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.berth.apps.App;
import dev.berth.builds.Build;
import dev.berth.builds.BuildState;
import dev.berth.builds.webhooks.WebhookSignatures;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.Users;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Notification hooks against a real HTTP receiver on loopback: signed deliveries, retries until a 2xx answer, the
 * build events, SSRF refusals naming the field, and who may see and change hooks.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class NotificationTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One request the receiver got. */
    record Received(String event, String delivery, String signature, String body) {
    }

    HttpServer receiver;
    final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    /** Status codes to answer with, in order; 204 once they are used up. */
    final List<Integer> answers = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger hits = new AtomicInteger();

    @Inject
    NotificationService service;

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            hits.incrementAndGet();
            received.add(new Received(ex.getRequestHeaders().getFirst("X-Berth-Event"),
                    ex.getRequestHeaders().getFirst("X-Berth-Delivery"),
                    ex.getRequestHeaders().getFirst("X-Berth-Signature-256"), new String(body)));
            int status = answers.isEmpty() ? 204 : answers.remove(0);
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private String hookUrl() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private static String hooks(String tenant, String app) {
        return Api.app(tenant, app) + "/notifications";
    }

    private static void until(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aPingIsSignedWithTheSecretShownOnceAndRecordedAsDelivered() throws Exception {
        String tenant = Api.createTenant("notify");
        Api.createApp(tenant, Api.app("web"));
        JsonPath created = json().body(Map.of("url", hookUrl())).post(hooks(tenant, "web")).then().statusCode(201)
                .extract().jsonPath();
        String secret = created.getString("secret");
        assertThat(secret).matches("[0-9a-f]{64}");
        assertThat(created.getList("hook.events", String.class))
                .containsExactly("build.succeeded", "build.failed", "build.cancelled");
        long id = created.getLong("hook.id");
        json().get(hooks(tenant, "web")).then().statusCode(200).body(not(containsString(secret)))
                .body("[0].url", org.hamcrest.Matchers.equalTo(hookUrl()));

        long delivery = json().post(hooks(tenant, "web") + "/" + id + "/ping").then().statusCode(202).extract().jsonPath()
                .getLong("id");
        until("the ping", () -> !received.isEmpty());
        Received r = received.peek();
        assertThat(r.event()).isEqualTo("ping");
        assertThat(r.delivery()).isEqualTo(String.valueOf(delivery));
        assertThat(r.signature()).isEqualTo("sha256=" + WebhookSignatures.hmacHex(secret, r.body().getBytes()));
        assertThat(r.signature()).isNotEqualTo("sha256=" + WebhookSignatures.hmacHex("another secret", r.body().getBytes()));
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("event").asText()).isEqualTo("ping");
        assertThat(body.path("tenant").asText()).isEqualTo(tenant);
        assertThat(body.path("app").asText()).isEqualTo("web");
        until("delivered state", () -> "delivered".equals(json().get(hooks(tenant, "web") + "/" + id + "/deliveries")
                .then().extract().path("[0].state")));
        json().get(hooks(tenant, "web") + "/" + id + "/deliveries").then().statusCode(200)
                .body("[0].attempts", org.hamcrest.Matchers.equalTo(1))
                .body("[0].lastStatus", org.hamcrest.Matchers.equalTo(204));
        json().get(hooks(tenant, "web")).then().body("[0].lastDelivery.state", org.hamcrest.Matchers.equalTo("delivered"));
    }

    @Test
    void aDeliveryIsRetriedWithTheSameIdAndBodyUntilTheReceiverAnswers2xx() throws Exception {
        String tenant = Api.createTenant("notify");
        Api.createApp(tenant, Api.app("web"));
        long id = json().body(Map.of("url", hookUrl())).post(hooks(tenant, "web")).then().statusCode(201).extract()
                .jsonPath().getLong("hook.id");
        answers.addAll(List.of(500, 503));
        json().post(hooks(tenant, "web") + "/" + id + "/ping").then().statusCode(202);
        until("three attempts", () -> hits.get() >= 3);
        until("delivered state", () -> "delivered".equals(json().get(hooks(tenant, "web") + "/" + id + "/deliveries")
                .then().extract().path("[0].state")));
        List<Received> all = new ArrayList<>(received);
        assertThat(all).hasSize(3);
        assertThat(all).extracting(Received::delivery).containsOnly(all.get(0).delivery());
        assertThat(all).extracting(Received::body).containsOnly(all.get(0).body());
        json().get(hooks(tenant, "web") + "/" + id + "/deliveries").then()
                .body("[0].attempts", org.hamcrest.Matchers.equalTo(3))
                .body("[0].lastError", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void aBuildThatEndsNotifiesTheHooksThatSubscribedOnce() throws Exception {
        String tenant = Api.createTenant("notify");
        Api.createApp(tenant, Api.app("web"));
        json().body(Map.of("url", hookUrl(), "events", List.of("build.failed"))).post(hooks(tenant, "web")).then()
                .statusCode(201);
        json().body(Map.of("url", hookUrl() + "?only=succeeded", "events", List.of("build.succeeded")))
                .post(hooks(tenant, "web")).then().statusCode(201);
        // A build that ended without a worker (as after a crash): the event still goes out, read from the table.
        long buildId = QuarkusTransaction.requiringNew().call(() -> {
            App app = App.find("name = ?1 and tenantId = (select t.id from Tenant t where t.slug = ?2)", "web", tenant)
                    .firstResult();
            Build b = new Build();
            b.tenantId = app.tenantId;
            b.appId = app.id;
            b.number = 7;
            b.state = BuildState.FAILED;
            b.triggerKind = "api";
            b.requestedBy = "admin";
            b.gitRef = "main";
            b.commitSha = "0123456789abcdef0123456789abcdef01234567";
            b.failureReason = "Berth stopped while this build ran (worker w1); gave up after 2 attempts";
            b.startedAt = Instant.now().minus(Duration.ofSeconds(30));
            b.finishedAt = Instant.now();
            b.persist();
            return b.id;
        });
        until("the build event", () -> !received.isEmpty());
        assertThat(service.buildFinished(buildId)).as("reported again, queued once").isZero();
        Thread.sleep(500);
        assertThat(received).hasSize(1);
        Received r = received.peek();
        assertThat(r.event()).isEqualTo("build.failed");
        JsonNode build = JSON.readTree(r.body()).path("build");
        assertThat(build.path("number").asInt()).isEqualTo(7);
        assertThat(build.path("state").asText()).isEqualTo("failed");
        assertThat(build.path("commit").asText()).startsWith("0123456789ab");
        assertThat(build.path("failureReason").asText()).contains("gave up after 2 attempts");
    }

    @Test
    void aRealBuildThatFailsToCloneSendsBuildFailed() throws Exception {
        String tenant = Api.createTenant("notify");
        Api.createApp(tenant, Api.app("web"));
        json().body(Map.of("url", hookUrl(), "events", List.of("build.failed", "build.succeeded")))
                .post(hooks(tenant, "web")).then().statusCode(201);
        json().body(Map.of("repoUrl", BuildInfra.gitUrl("no-such-repo-" + tenant + ".git"), "ref", "main"))
                .put(Api.app(tenant, "web") + "/source").then().statusCode(200);
        int number = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
        until("the build.failed event", () -> !received.isEmpty());
        Received r = received.peek();
        assertThat(r.event()).isEqualTo("build.failed");
        JsonNode build = JSON.readTree(r.body()).path("build");
        assertThat(build.path("number").asInt()).isEqualTo(number);
        assertThat(build.path("state").asText()).isEqualTo("failed");
        assertThat(build.path("failureReason").asText()).isNotBlank();
        json().get(Api.app(tenant, "web") + "/builds/" + number).then()
                .body("failureReason", org.hamcrest.Matchers.equalTo(build.path("failureReason").asText()));
    }

    @Test
    void urlsThatReachInternalAddressesOrAreNotHttpAreRefusedNamingTheField() {
        String tenant = Api.createTenant("notify");
        Api.createApp(tenant, Api.app("web"));
        String url = hooks(tenant, "web");
        assertProblem(json().body(Map.of("url", "file:///etc/passwd")).post(url), 400, "url");
        assertProblem(json().body(Map.of("url", "http://169.254.169.254/latest/meta-data/")).post(url), 400, "url")
                .body("errors[0].message", containsString("link-local"));
        assertProblem(json().body(Map.of("url", "http://10.1.2.3/hook")).post(url), 400, "url")
                .body("errors[0].message", containsString("private"));
        assertProblem(json().body(Map.of("url", "http://[::ffff:192.168.1.1]/hook")).post(url), 400, "url");
        assertProblem(json().body(Map.of("url", "http://user:pw@127.0.0.1:1/hook")).post(url), 400, "url");
        assertProblem(json().body(Map.of("url", hookUrl(), "events", List.of("build.failed", "deploy.done"))).post(url),
                400, "events[1]");
        json().get(url).then().statusCode(200).body("size()", org.hamcrest.Matchers.equalTo(0));
    }

    @Test
    void aHostThatTurnsInternalAfterSavingIsNotCalled() throws Exception {
        String tenant = Api.createTenant("notify");
        Api.createApp(tenant, Api.app("web"));
        long id = json().body(Map.of("url", hookUrl())).post(hooks(tenant, "web")).then().statusCode(201).extract()
                .jsonPath().getLong("hook.id");
        // As if the host's DNS answer changed to a private address after the hook was saved.
        QuarkusTransaction.requiringNew().run(() -> NotificationHook.update("url = ?1 where id = ?2",
                "http://10.20.30.40:" + receiver.getAddress().getPort() + "/hook", id));
        json().post(hooks(tenant, "web") + "/" + id + "/ping").then().statusCode(202);
        until("the failed state", () -> "failed".equals(json().get(hooks(tenant, "web") + "/" + id + "/deliveries")
                .then().extract().path("[0].state")));
        json().get(hooks(tenant, "web") + "/" + id + "/deliveries").then()
                .body("[0].lastError", containsString("not sent")).body("[0].lastError", containsString("private"));
        assertThat(hits.get()).isZero();
    }

    @Test
    @TestSecurity(user = "vera")
    void viewersCannotSeeOrChangeHooksAndRemovingAHookIsAudited() {
        String[] slug = new String[1];
        Users.asAdminThen("vera", () -> {
            slug[0] = Api.createTenant("notify");
            Api.createApp(slug[0], Api.app("web"));
            Api.putMember(slug[0], "vera", "viewer");
        });
        json().get(hooks(slug[0], "web")).then().statusCode(403);
        json().body(Map.of("url", hookUrl())).post(hooks(slug[0], "web")).then().statusCode(403);
        Users.actAsAdmin();
        long id = json().body(Map.of("url", hookUrl())).post(hooks(slug[0], "web")).then().statusCode(201).extract()
                .jsonPath().getLong("hook.id");
        json().delete(hooks(slug[0], "web") + "/" + id).then().statusCode(204);
        json().get(hooks(slug[0], "web")).then().body("size()", org.hamcrest.Matchers.equalTo(0));
        json().get("/api/v1/tenants/" + slug[0] + "/audit").then().statusCode(200)
                .body(containsString("notification.create")).body(containsString("notification.delete"))
                .body(not(containsString("/hook")));
    }

    @Test
    void waitsGrowFiveFoldUpToTwoHours() {
        Duration base = Duration.ofSeconds(10);
        assertThat(NotificationSender.wait(base, 1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(NotificationSender.wait(base, 2)).isEqualTo(Duration.ofSeconds(50));
        assertThat(NotificationSender.wait(base, 3)).isEqualTo(Duration.ofSeconds(250));
        assertThat(NotificationSender.wait(base, 9)).isEqualTo(Duration.ofHours(2));
    }
}
