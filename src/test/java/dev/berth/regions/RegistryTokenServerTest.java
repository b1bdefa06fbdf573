package dev.berth.regions;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A registry that wants a bearer token (as Docker Hub, GHCR or Harbor do) and keeps blobs on another host: the
 * inspector gets the token with its credential, resolves the manifest list to linux/amd64, and follows the blob
 * redirect without handing the registry's token to the other host.
 */
class RegistryTokenServerTest {
    private static final String USER = "ci";
    private static final String PASSWORD = "s3cret";
    private static final String AMD64 = "sha256:" + "a".repeat(64);
    private static final String CONFIG = "sha256:" + "c".repeat(64);
    private HttpServer registry;
    private HttpServer storage;
    private final List<String> tokenRequests = new CopyOnWriteArrayList<>();
    private final List<String> manifestAccepts = new CopyOnWriteArrayList<>();
    private final List<String> storageAuthorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        storage = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0), 10);
        storage.createContext("/blob/", x -> {
            storageAuthorizations.add(x.getRequestHeaders().getFirst("Authorization") + "");
            reply(x, 200, "{\"config\":{\"User\":\"1000:1000\",\"ExposedPorts\":{\"8080/tcp\":{}}}}", Map.of());
        });
        storage.start();
        registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        String base = "http://127.0.0.1:" + registry.getAddress().getPort();
        registry.createContext("/token", x -> {
            tokenRequests.add(x.getRequestURI().getQuery() + " " + x.getRequestHeaders().getFirst("Authorization"));
            String basic = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            if (basic.equals(x.getRequestHeaders().getFirst("Authorization"))) {
                reply(x, 200, "{\"token\":\"t0k\"}", Map.of());
            } else {
                reply(x, 401, "{}", Map.of());
            }
        });
        registry.createContext("/v2/", x -> {
            if (!"Bearer t0k".equals(x.getRequestHeaders().getFirst("Authorization"))) {
                reply(x, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}", Map.of("WWW-Authenticate", "Bearer realm=\""
                        + base + "/token\",service=\"fake-registry\",scope=\"repository:team/web:pull\""));
                return;
            }
            String path = x.getRequestURI().getPath();
            if (path.equals("/v2/team/web/manifests/1")) {
                manifestAccepts.add(x.getRequestHeaders().getFirst("Accept"));
                reply(x, 200, """
                        {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
                         "manifests":[{"digest":"sha256:%s","platform":{"os":"linux","architecture":"arm64"}},
                                      {"digest":"%s","platform":{"os":"linux","architecture":"amd64"}}]}
                        """.formatted("b".repeat(64), AMD64), Map.of());
            } else if (path.equals("/v2/team/web/manifests/" + AMD64)) {
                reply(x, 200, "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + CONFIG + "\"},\"layers\":[]}", Map.of());
            } else if (path.equals("/v2/team/web/blobs/" + CONFIG)) {
                reply(x, 307, "", Map.of("Location", "http://127.0.0.2:" + storage.getAddress().getPort() + "/blob/c"));
            } else {
                reply(x, 404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}", Map.of());
            }
        });
        registry.start();
    }

    @AfterEach
    void stop() {
        registry.stop(0);
        storage.stop(0);
    }

    private static void reply(HttpExchange x, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        headers.forEach((k, v) -> x.getResponseHeaders().add(k, v));
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            x.getResponseBody().write(bytes);
        }
        x.close();
    }

    private String host() {
        return "127.0.0.1:" + registry.getAddress().getPort();
    }

    @Test
    void aBearerChallengeIsAnsweredWithATokenAndTheBlobRedirectGetsNoCredential() {
        RegistryImageInspector inspector = new RegistryImageInspector(host(), true,
                () -> Optional.of(new RegistryImageInspector.Credentials(USER, PASSWORD)));
        assertThat(inspector.inspect(host() + "/team/web:1")).isEqualTo(ImageFacts.found("1000:1000", Set.of("8080/tcp")));
        assertThat(tokenRequests).hasSize(1);
        assertThat(tokenRequests.get(0)).contains("service=fake-registry", "scope=repository:team/web:pull", "Basic ");
        assertThat(manifestAccepts.get(0)).contains("application/vnd.oci.image.manifest.v1+json",
                "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.distribution.manifest.list.v2+json");
        assertThat(storageAuthorizations).containsExactly("null");
    }

    @Test
    void manifestUnknownAfterTheLoginIsMissingAndNoTokenIsUnknown() {
        RegistryImageInspector inspector = new RegistryImageInspector(host(), true,
                () -> Optional.of(new RegistryImageInspector.Credentials(USER, PASSWORD)));
        assertThat(inspector.inspect(host() + "/team/web:2").availability()).isEqualTo(ImageFacts.Availability.MISSING);
        RegistryImageInspector anonymous = new RegistryImageInspector(host(), true, Optional::empty);
        assertThat(anonymous.inspect(host() + "/team/web:1").availability()).isEqualTo(ImageFacts.Availability.UNKNOWN);
    }
}
