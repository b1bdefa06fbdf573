package dev.berth.builds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.apps.App;
import dev.berth.builds.run.BuildLog;
import dev.berth.builds.run.BuildLogFeed;
import dev.berth.notices.Notices;
import dev.berth.tenancy.Tenant;
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
 * deliver them before its {@code end} event. Streams wake on the log's NOTIFY, not on a timer: a line reaches a
 * client without a polling delay, viewers share the instance's one listening connection, and a stream whose
 * client went away ends with its subscription.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class BuildLogStreamTest {
    @Inject
    BuildLog logs;
    @Inject
    BuildLogFeed feed;
    @Inject
    Notices notices;
    @Inject
    jakarta.persistence.EntityManager em;

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

    /** Follows the build's live log; {@code data} receives every line's text. */
    private static CompletableFuture<Void> follow(String slug, List<String> data,
            java.util.concurrent.atomic.AtomicReference<Stream<String>> body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port
                + Api.app(slug, "web") + "/builds/1/log")).header("Accept", "text/event-stream").build();
        return HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> {
            Stream<String> lines = r.body();
            body.set(lines);
            try (lines) {
                lines.forEach(l -> {
                    if (l.startsWith("data:")) {
                        data.add(l.substring(5).strip());
                    }
                });
            } catch (RuntimeException closed) {
                // the test closed the stream
            }
        });
    }

    /** Listening connections of this schema's Berth instances: the one listener each instance has. */
    private long listeningConnections() {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from pg_stat_activity where application_name = :a")
                .setParameter("a", notices.applicationName()).getSingleResult()).longValue());
    }

    @Test
    void aLineReachesTheClientsWithoutAPollingDelayAndViewersShareOneListeningConnection() throws Exception {
        String slug = Api.createTenant("loglive");
        Api.createApp(slug, Api.app("web"));
        long id = runningBuild(slug);
        int before = feed.subscriptions();
        List<List<String>> viewers = List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(),
                new CopyOnWriteArrayList<>());
        List<java.util.concurrent.atomic.AtomicReference<Stream<String>>> bodies = new java.util.ArrayList<>();
        for (List<String> v : viewers) {
            var body = new java.util.concurrent.atomic.AtomicReference<Stream<String>>();
            bodies.add(body);
            follow(slug, v, body);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> feed.subscriptions() == before + 3);
        assertThat(feed.listening()).isTrue();
        assertThat(listeningConnections()).as("one listening connection, not one per viewer nor per feed").isEqualTo(1);

        BuildLog.Writer w = logs.open(id, List.of());
        List<Long> millis = new java.util.ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            int n = i;
            long start = System.nanoTime();
            w.line("line " + i);
            w.flush();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                    .until(() -> viewers.stream().allMatch(v -> v.size() >= n));
            millis.add((System.nanoTime() - start) / 1_000_000);
        }
        // The streams' fallback read comes every 5 s: a line within a second came by its notification.
        assertThat(millis).as("ms from a stored line to every viewer").allMatch(ms -> ms < 1000);
        viewers.forEach(v -> assertThat(v).containsExactly("line 1", "line 2", "line 3", "line 4", "line 5"));
        System.out.println("build log line to 3 SSE clients, ms: " + millis);

        // The viewers go away while the build still runs: their streams end with their subscriptions.
        bodies.forEach(b -> b.get().close());
        await().atMost(Duration.ofSeconds(20)).until(() -> feed.subscriptions() == before);
        assertThat(listeningConnections()).isEqualTo(1);
        w.close();
    }
}
