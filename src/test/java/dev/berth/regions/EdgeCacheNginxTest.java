package dev.berth.regions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.berth.builds.run.ProcessTree;
import dev.berth.placement.EdgeCacheConfig;
import dev.berth.placement.Placement;
import dev.berth.testsupport.Golden;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The edge cache's generated nginx.conf: compared with a reviewed golden file, then run by the real nginx from
 * Debian on loopback in front of a real origin (a JDK HTTP server counting its hits).
 */
class EdgeCacheNginxTest {
    private static final List<Placement.CacheRule> RULES = List.of(new Placement.CacheRule("/static/", 600, false),
            new Placement.CacheRule("/api/", 0, true));
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private HttpServer origin;
    private Process nginx;
    private Path dir;

    @BeforeEach
    void startOrigin() throws IOException {
        origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        origin.createContext("/", ex -> {
            int n = hits.computeIfAbsent(ex.getRequestURI().getPath(), k -> new AtomicInteger()).incrementAndGet();
            byte[] body = ("origin " + ex.getRequestURI().getPath() + " #" + n + " host " + ex.getRequestHeaders()
                    .getFirst("Host")).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        origin.start();
        dir = Files.createTempDirectory("berth-edge");
        // nginx's workers run as an unprivileged user when the master runs as root: let them use the directory.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterEach
    void stop() throws Exception {
        if (nginx != null) {
            // nginx runs under the guard: its master (SIGTERM: it stops its workers) and then the guard.
            List<ProcessHandle> tree = nginx.descendants().toList();
            tree.forEach(ProcessHandle::destroy);
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                nginx.destroyForcibly().waitFor();
            }
        }
        origin.stop(0);
    }

    @Test
    void theGeneratedConfigurationMatchesTheReviewedOne() {
        String conf = EdgeCacheConfig.render("web.acme.eu.example.com:80", "web.acme.eu.example.com", RULES, 3,
                EdgeCacheConfig.Paths.CONTAINER);
        Golden.assertTextMatches("edge-nginx.conf", conf);
    }

    @Test
    void realNginxServesCachedResponsesFromTheOriginBypassesAndHonoursPurge() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        EdgeCacheConfig.Paths paths = new EdgeCacheConfig.Paths(port, dir + "/cache", dir.toString(),
                dir + "/nginx.pid", dir + "/error.log");
        Path conf = dir.resolve("nginx.conf");
        String originAddress = "127.0.0.1:" + origin.getAddress().getPort();
        Files.writeString(conf, EdgeCacheConfig.render(originAddress, "web.acme.eu.example.com", RULES, 1, paths)
                .replace("listen " + port + ";", "listen 127.0.0.1:" + port + ";"));
        // Behind Berth's process guard, so nginx stops with this JVM however it ends.
        nginx = new ProcessBuilder(ProcessTree.guarded(List.of("/usr/sbin/nginx", "-p", dir.toString(), "-e",
                dir + "/error.log", "-c", conf.toString(), "-g", "daemon off;"))).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile()).start();
        String base = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> get(base + "/").statusCode() == 200);

        HttpResponse<String> first = get(base + "/static/app.js");
        HttpResponse<String> second = get(base + "/static/app.js");
        assertThat(first.body()).isEqualTo("origin /static/app.js #1 host web.acme.eu.example.com");
        assertThat(second.body()).as("served from the cache").isEqualTo(first.body());
        assertThat(second.headers().firstValue("X-Cache-Status")).hasValue("HIT");
        assertThat(hits.get("/static/app.js").get()).isEqualTo(1);

        get(base + "/api/items");
        HttpResponse<String> api = get(base + "/api/items");
        assertThat(hits.get("/api/items").get()).as("bypass rule: never cached").isEqualTo(2);
        assertThat(api.body()).endsWith("#2 host web.acme.eu.example.com");

        // Purge: the next cache generation, loaded by a reload of the same nginx.
        Files.writeString(conf, EdgeCacheConfig.render(originAddress, "web.acme.eu.example.com", RULES, 2, paths)
                .replace("listen " + port + ";", "listen 127.0.0.1:" + port + ";"));
        Process reload = new ProcessBuilder("/usr/sbin/nginx", "-p", dir.toString(), "-e", dir + "/error.log", "-c",
                conf.toString(), "-s", "reload").redirectErrorStream(true).start();
        assertThat(reload.waitFor()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> get(base + "/static/app.js").body().endsWith("#2 host "
                + "web.acme.eu.example.com"));
        assertThat(hits.get("/static/app.js").get()).isEqualTo(2);
        assertThat(get(base + "/static/app.js").headers().firstValue("X-Cache-Status")).hasValue("HIT");
        assertThat(hits.get("/static/app.js").get()).as("cached again after the purge").isEqualTo(2);
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
