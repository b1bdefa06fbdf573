package dev.berth.web;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.kube.Labels;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import dev.berth.testsupport.Users;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The pages' live streams: authorized like the pages (a stranger gets the same 404 as for the tenant's pages), a
 * change of the tenant reaches its stream within a second and a change of another tenant never does, the overview
 * stream follows only the caller's tenants, a request that is not an EventSource's is refused, a user's streams
 * are capped, and a stream whose client went away is closed and unsubscribed.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class LiveStreamTest {
    @TestHTTPResource("/")
    URL root;
    @Inject
    LiveStreams streams;
    @Inject
    Sandbox sandbox;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** One open stream: its events as {@code name data} strings, as they arrive. */
    private final class Stream implements AutoCloseable {
        final int status;
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        private final InputStream body;

        Stream(String path) throws Exception {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url(path)))
                    .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            status = r.statusCode();
            body = r.body();
            if (status != 200) {
                body.close();
                return;
            }
            Thread t = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                    String name = null;
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        if (line.startsWith("event:")) {
                            name = line.substring(6).trim();
                        } else if (line.startsWith("data:") && name != null) {
                            events.add(name + " " + line.substring(5).trim());
                            name = null;
                        }
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            }, "live-stream-reader");
            t.setDaemon(true);
            t.start();
        }

        /** The next event, or null after {@code ms}. */
        String next(long ms) throws InterruptedException {
            return events.poll(ms, TimeUnit.MILLISECONDS);
        }

        /** Waits for the next event naming {@code data} (others, such as platform changes, are skipped). */
        String nextAbout(String data, long ms) throws InterruptedException {
            long until = System.currentTimeMillis() + ms;
            for (String e = next(ms); e != null; e = next(Math.max(1, until - System.currentTimeMillis()))) {
                if (e.endsWith(" " + data)) {
                    return e;
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    @Test
    void aTenantsStreamTellsOfItsOwnChangesOnlyAndWithinASecond() throws Exception {
        String a = Api.createTenant("lsa", "alice");
        String b = Api.createTenant("lsb", "bob");
        Api.createApp(a, Api.app("web"));
        Api.createApp(b, Api.app("web"));
        Users.actAs("alice");
        try (Stream s = new Stream("/t/" + a + "/live")) {
            assertThat(s.status).isEqualTo(200);
            assertThat(s.next(5000)).isEqualTo("ready " + a);

            Users.asAdminThen("alice", () -> json().body(Map.of("replicas", 2)).patch(Api.app(b, "web")).then()
                    .statusCode(200));
            long start = System.nanoTime();
            Users.asAdminThen("alice", () -> json().body(Map.of("replicas", 2)).patch(Api.app(a, "web")).then()
                    .statusCode(200));
            List<String> seen = new ArrayList<>();
            String e;
            while ((e = s.next(1000)) != null && !e.equals("change " + a)) {
                seen.add(e);
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(e).as("a change of the tenant arrives").isEqualTo("change " + a);
            assertThat(ms).as("within a second of the API's answer").isLessThan(1000);
            assertThat(seen).as("nothing of the other tenant").noneMatch(x -> x.contains(b));
            System.out.printf("change event %d ms after the API answered%n", ms);
        }
    }

    @Test
    void aChangeOnlyTheClusterSeesReachesTheTenantsStream() throws Exception {
        String a = Api.createTenant("lsh", "alice");
        Api.createApp(a, Api.app("web"));
        await().atMost(Duration.ofSeconds(20)).until(() -> !sandbox.client().pods().inAnyNamespace()
                .withLabel(Labels.TENANT, a).list().getItems().isEmpty());
        Users.actAs("alice");
        try (Stream s = new Stream("/t/" + a + "/live")) {
            assertThat(s.next(5000)).isEqualTo("ready " + a);
            // Let the app's start settle: no event for half a second.
            while (s.next(500) != null) {
                // skip
            }
            long start = System.nanoTime();
            // A pod goes away in the cluster: nothing is committed in Berth, only the watch cache sees it.
            sandbox.client().pods().inAnyNamespace().withLabel(Labels.TENANT, a).delete();
            assertThat(s.nextAbout(a, 1000)).as("the pod's deletion wakes the tenant's pages").isEqualTo("change " + a);
            System.out.printf("cluster change event %d ms after the pod was deleted%n",
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    @Test
    void aStreamIsAuthorizedLikeThePagesAndOnlyForEventSources() throws Exception {
        String a = Api.createTenant("lsc", "alice");
        Users.actAs("bob");
        try (Stream s = new Stream("/t/" + a + "/live")) {
            assertThat(s.status).as("a stranger learns nothing, as on the tenant's pages").isEqualTo(404);
        }
        try (Stream s = new Stream("/t/no-such-tenant-zz/live")) {
            assertThat(s.status).isEqualTo(404);
        }
        Users.actAs("alice");
        HttpResponse<String> plain = http.send(HttpRequest.newBuilder(URI.create(url("/t/" + a + "/live")))
                .header("Accept", "*/*").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).as("a plain GET gets no never-ending response").isEqualTo(406);
        assertThat(plain.body()).contains("text/event-stream");
    }

    @Test
    void theOverviewStreamFollowsTheCallersTenantsAndThePlatform() throws Exception {
        String mine = Api.createTenant("lsd", "dora");
        String other = Api.createTenant("lse", "erin");
        Users.actAs("dora");
        try (Stream s = new Stream("/live")) {
            String ready = s.next(5000);
            assertThat(ready).startsWith("ready").contains(mine).contains("platform").doesNotContain(other);
            Users.asAdminThen("dora", () -> Api.createApp(other, Api.app("web")));
            Users.asAdminThen("dora", () -> Api.createApp(mine, Api.app("web")));
            List<String> seen = new ArrayList<>();
            String e;
            while ((e = s.next(2000)) != null && !e.equals("change " + mine)) {
                seen.add(e);
            }
            assertThat(e).isEqualTo("change " + mine);
            assertThat(seen).noneMatch(x -> x.contains(other));
        }
    }

    @Test
    void aStreamWhoseClientLeftIsClosedAndUnsubscribed() throws Exception {
        // A user of its own: the counts of other tests' streams, which end on their next keep-alive, do not count.
        String a = Api.createTenant("lsf", "lena");
        Users.actAs("lena");
        Stream s = new Stream("/t/" + a + "/live");
        assertThat(s.next(5000)).isEqualTo("ready " + a);
        assertThat(streams.openFor("lena")).isEqualTo(1);
        s.close();
        long start = System.nanoTime();
        // A stream stops counting only once it has ended, and ending closes its subscription first.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> streams.openFor("lena") == 0);
        System.out.printf("a stream whose client left closed after %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void aUserMayHoldOnlySoManyStreams() throws Exception {
        String a = Api.createTenant("lsg", "gina");
        Users.actAs("gina");
        List<Stream> open = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                Stream s = new Stream("/t/" + a + "/live");
                assertThat(s.status).isEqualTo(200);
                open.add(s);
            }
            try (Stream refused = new Stream("/t/" + a + "/live")) {
                assertThat(refused.status).isEqualTo(429);
            }
        } finally {
            for (Stream s : open) {
                s.close();
            }
        }
    }

    private String url(String path) {
        String base = root.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
    }
}
