package dev.berth.builds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.apps.App;
import dev.berth.tenants.Tenant;
import dev.berth.testsupport.Api;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The live build log ends after its last line: lines a worker writes right around recording the final state (its
 * failure line, the release it created) are still pending in its writer when the state commits, and the stream must
 * deliver them before its {@code end} event.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class BuildLogStreamTest {
    @Inject
    BuildLog logs;

    /** A build row as a worker holds it while it runs: claimed, its log open. */
    private static long runningBuild(String slug) {
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
            b.attempts = 1;
            b.worker = "this-test";
            b.heartbeatAt = Instant.now().plusSeconds(3600);
            b.startedAt = Instant.now();
            b.logOpen = true;
            b.persist();
            return b.id;
        });
    }

    @Test
    void theEndEventComesAfterEveryLineWrittenBeforeTheWorkerClosedTheLog() throws Exception {
        String slug = Api.createTenant("logend");
        Api.createApp(slug, Api.app("web"));
        long id = runningBuild(slug);
        List<String> data = new CopyOnWriteArrayList<>();
        List<String> events = new CopyOnWriteArrayList<>();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port
                + Api.app(slug, "web") + "/builds/1/log")).header("Accept", "text/event-stream").build();
        CompletableFuture<Void> reader = HttpClient.newHttpClient()
                .sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> {
                    try (Stream<String> lines = r.body()) {
                        lines.forEach(l -> {
                            if (l.startsWith("event:")) {
                                events.add(l.substring(6).strip());
                            } else if (l.startsWith("data:")) {
                                data.add(l.substring(5).strip());
                            }
                        });
                    }
                });

        BuildLog.Writer w = logs.open(id, List.of());
        IntStream.rangeClosed(1, 10).forEach(i -> w.line("line " + i));
        w.flush();
        await().atMost(Duration.ofSeconds(10)).until(() -> data.size() >= 10);

        // Held by the test, the writer cannot flush on its own: its last lines are pending when the state commits,
        // as a worker's are when it records the outcome and logs after it.
        synchronized (w) {
            w.flush();
            IntStream.rangeClosed(11, 160).forEach(i -> w.line("line " + i));
            BuildRunner.record(id, b -> {
                b.moveTo(BuildState.FAILED);
                b.failureReason = "test";
                b.finishedAt = Instant.now();
            });
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                    .until(() -> !events.contains("end"));
        }
        w.close();
        logs.close(id);

        reader.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(events).last().isEqualTo("end");
        assertThat(data.subList(0, data.size() - 1))
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 160).mapToObj(i -> "line " + i).toList());
        assertThat(data).last().isEqualTo("failed");
    }
}
