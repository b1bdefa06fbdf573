package dev.berth.it;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.apps.AppLogs;
import dev.berth.apps.AppManifests;
import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An app's runtime logs on the real apiserver: {@code pods/log} through the apiserver to the test kubelet's log
 * endpoint. The live stream merges the app's pods with region and pod on each line, picks up a pod that starts
 * later, and when the client goes away every stream is closed, in Berth and at the kubelet. The download reads the
 * last lines, and the previous container's log of a crashed pod.
 */
@QuarkusTest
@TestProfile(RealCluster.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class AppLogsIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    private final KubernetesClient kube = ControlPlane.get().admin();
    private final KubeletLogs kubelet = ControlPlane.get().kubelet().logs();
    private final ObjectMapper mapper = new ObjectMapper();

    @Inject
    AppLogs logs;

    private List<String> runningPods(String ns) {
        return kube.pods().inNamespace(ns).withLabel("berth.dev/app", "web").list().getItems().stream()
                .filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null
                        && p.getStatus().getContainerStatuses().stream().anyMatch(c -> c.getState().getRunning() != null))
                .map(p -> p.getMetadata().getName()).sorted().toList();
    }

    private void write(String ns, String pod, String text) {
        kubelet.write(ns, pod, AppManifests.CONTAINER, false, text);
    }

    @Test
    void theLiveStreamMergesPodsFollowsNewOnesAndClosesEverythingWhenTheClientLeaves() throws Exception {
        String tenant = Api.createTenant("logs");
        String ns = Names.namespace(tenant);
        Api.createApp(tenant, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 2));
        List<String> pods = await().atMost(WAIT).until(() -> runningPods(ns), p -> p.size() == 2);
        for (String pod : pods) {
            write(ns, pod, "booted " + pod);
        }

        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + RestAssured.port + Api.app(tenant, "web") + "/logs"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    if (l.startsWith("data:")) {
                        lines.add(mapper.readTree(l.substring(5)));
                    }
                }
            } catch (Exception e) {
                // closed by the test
            }
        });
        reader.start();

        // The lines written before the client came, from both pods, with region and pod.
        List<JsonNode> first = List.of(take(lines), take(lines));
        assertThat(first).extracting(n -> n.get("region").asText() + " " + n.get("pod").asText() + " "
                + n.get("text").asText()).containsExactlyInAnyOrder(pods.stream()
                        .map(p -> RealCluster.REGION + " " + p + " booted " + p).toArray(String[]::new));
        assertThat(first).allSatisfy(n -> assertThat(n.get("time").asText()).isNotEmpty());

        // A new line reaches the client live; this is the latency from the pod's log to the client.
        Instant written = Instant.now();
        write(ns, pods.get(0), "request handled");
        JsonNode live = take(lines);
        long latencyMs = Duration.between(written, Instant.now()).toMillis();
        System.out.println("app log line from pod to client: " + latencyMs + " ms");
        assertThat(live.get("text").asText()).isEqualTo("request handled");
        assertThat(live.get("pod").asText()).isEqualTo(pods.get(0));

        // A pod that starts later is followed as it starts.
        json().body(Map.of("replicas", 3)).patch(Api.app(tenant, "web")).then().statusCode(200);
        String third = await().atMost(WAIT).until(() -> runningPods(ns), p -> p.size() == 3).stream()
                .filter(p -> !pods.contains(p)).findFirst().orElseThrow();
        write(ns, third, "hello from the third pod");
        JsonNode late = take(lines);
        assertThat(late.get("pod").asText() + ": " + late.get("text").asText())
                .isEqualTo(third + ": hello from the third pod");
        assertThat(kubelet.openStreams(ns)).isGreaterThanOrEqualTo(3);

        // The client leaves: Berth closes its streams (every one on this instance: no earlier client's is left
        // either), and the kubelet sees them closed at its next write.
        response.body().close();
        reader.interrupt();
        await().atMost(WAIT).until(() -> logs.openStreams() == 0);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (String pod : runningPods(ns)) {
                write(ns, pod, "anyone there?");
            }
            return kubelet.openStreams(ns) == 0;
        });
    }

    @Test
    void theDownloadReadsTheLastLinesAndThePreviousContainerOfACrashedPod() {
        String tenant = Api.createTenant("logsdl");
        String ns = Names.namespace(tenant);
        Api.createApp(tenant, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 1));
        String pod = await().atMost(WAIT).until(() -> runningPods(ns), p -> p.size() == 1).get(0);
        for (int i = 1; i <= 5; i++) {
            write(ns, pod, "line " + i);
        }
        kubelet.write(ns, pod, AppManifests.CONTAINER, true, "panic: out of cheese");
        String text = given().accept("text/plain").get(Api.app(tenant, "web") + "/logs/download?tail=2").then()
                .statusCode(200).extract().asString();
        assertThat(text.lines().toList()).hasSize(2).allSatisfy(l -> assertThat(l).contains(RealCluster.REGION + "/" + pod));
        assertThat(text).contains("line 4").contains("line 5").doesNotContain("line 3").doesNotContain("cheese");
        given().accept("text/plain").get(Api.app(tenant, "web") + "/logs/download?previous=true").then().statusCode(200)
                .body(containsString(pod + " panic: out of cheese"));

        // Bad parameters are refused naming the parameter, before anything is read.
        given().accept("text/plain").get(Api.app(tenant, "web") + "/logs/download?tail=lots").then().statusCode(400)
                .body(containsString("tail"));
        given().accept("text/plain").get(Api.app(tenant, "web") + "/logs/download?since=3w").then().statusCode(400)
                .body(containsString("since"));
        given().accept("text/plain").get(Api.app(tenant, "web") + "/logs/download?region=elsewhere").then().statusCode(400)
                .body(containsString("region"));
        given().accept("text/plain").get(Api.app(tenant, "nope") + "/logs/download").then().statusCode(404);
    }

    private static JsonNode take(BlockingQueue<JsonNode> lines) throws InterruptedException {
        JsonNode n = lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(n).as("a log line within " + WAIT).isNotNull();
        return n;
    }
}
