package dev.berth.keycloak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.builds.run.ProcessTree;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real Keycloak for the end-to-end tests: the distribution {@code org.keycloak:keycloak-quarkus-dist} that Maven
 * resolved from Maven Central (cached in the local repository) and unpacked into {@code target/keycloak}, started
 * once per test run in dev mode on 127.0.0.1 with free ports, on a Java 21+ JDK, with a copy of
 * {@code deploy/keycloak/berth-realm.json} imported. The copy differs from the file in what only tests need: any
 * redirect URI (the test's Berth listens on a port chosen at start-up), a client whose tokens are for another audience, and a client with very
 * short-lived tokens.
 */
public class KeycloakServer implements QuarkusTestResourceLifecycleManager {
    public static final String REALM = "berth";
    public static final String CLIENT = "berth-portal";
    public static final String SECRET = "change-me";
    public static final String OTHER_CLIENT = "other-app";
    public static final String SHORT_LIVED_CLIENT = "berth-short-lived";
    static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    private static String url;
    private Process process;

    /** The realm URL, e.g. {@code http://127.0.0.1:41234/realms/berth}. */
    public static String realmUrl() {
        return url + "/realms/" + REALM;
    }

    @Override
    public Map<String, String> start() {
        try {
            Path home = home();
            int port = freePort();
            url = "http://127.0.0.1:" + port;
            Path data = home.resolve("data");
            deleteTree(data);
            Files.createDirectories(data.resolve("import"));
            writeRealm(data.resolve("import").resolve("berth-realm.json"));
            Path log = home.resolve("keycloak.log");
            // Behind Berth's process guard: Keycloak stops with this JVM however it ends, even killed.
            ProcessBuilder pb = new ProcessBuilder(ProcessTree.guarded(List.of(home.resolve("bin/kc.sh").toString(),
                    "start-dev", "--http-host=127.0.0.1", "--http-port=" + port,
                    "--http-management-port=" + freePort(), "--import-realm", "--cache=local")))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("JAVA_HOME", javaHome().toString());
            pb.environment().put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
            // Keycloak 26.5's thread pool resets thread locals, which Java 24+ allows only with this opening.
            pb.environment().put("JAVA_OPTS_APPEND", "--add-opens=java.base/java.lang=ALL-UNNAMED");
            process = pb.start();
            try {
                awaitRealm(log);
            } catch (IOException | RuntimeException e) {
                stop(); // a resource whose start failed is not stopped by Quarkus
                throw e;
            }
            return Map.of(
                    "quarkus.oidc.auth-server-url", realmUrl(),
                    "quarkus.oidc.client-id", CLIENT,
                    "quarkus.oidc.credentials.secret", SECRET);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        Process p = process;
        process = null;
        if (p == null) {
            return;
        }
        // SIGTERM to Keycloak (under the guard): it stops cleanly, and the guard exits with it.
        List<ProcessHandle> tree = p.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        try {
            p.onExit().get(60, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            tree.forEach(ProcessHandle::destroyForcibly);
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tree.forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** The unpacked distribution (see the maven-dependency-plugin's unpack execution in pom.xml). */
    static Path home() throws IOException {
        Path target = Path.of("target", "keycloak");
        try (Stream<Path> dirs = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            return dirs.filter(d -> Files.isExecutable(d.resolve("bin/kc.sh"))).findFirst().orElseThrow(() ->
                    new IllegalStateException("no Keycloak distribution in " + target.toAbsolutePath()
                            + "; `./mvnw verify` unpacks org.keycloak:keycloak-quarkus-dist there"))
                    .toAbsolutePath();
        }
    }

    /** Keycloak 26 needs Java 21+: {@code KEYCLOAK_JAVA_HOME}, else the newest JDK under /usr/lib/jvm. */
    static Path javaHome() throws IOException {
        String configured = System.getenv("KEYCLOAK_JAVA_HOME");
        if (configured != null) {
            return Path.of(configured);
        }
        if (Runtime.version().feature() >= 21) {
            return Path.of(System.getProperty("java.home"));
        }
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            return jdks.filter(j -> Files.isExecutable(j.resolve("bin/java")) && feature(j) >= 21)
                    .max(Comparator.comparingInt(KeycloakServer::feature)).orElseThrow(() ->
                            new IllegalStateException("Keycloak needs Java 21 or newer; install one under "
                                    + "/usr/lib/jvm or set KEYCLOAK_JAVA_HOME"));
        }
    }

    private static int feature(Path jdk) {
        Path release = jdk.resolve("release");
        try {
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.]")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    private static void writeRealm(Path to) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode realm = (ObjectNode) json.readTree(Path.of("deploy/keycloak/berth-realm.json").toFile());
        for (var c : realm.withArray("clients")) {
            if (CLIENT.equals(c.path("clientId").asText())) {
                // The test's Berth listens on a port chosen at start-up; this Keycloak only listens on loopback.
                ObjectNode client = (ObjectNode) c;
                client.remove("rootUrl");
                client.putArray("redirectUris").add("*");
                client.putArray("webOrigins").add("+");
                client.with("attributes").put("post.logout.redirect.uris", "*");
            }
        }
        ArrayNode clients = realm.withArray("clients");
        // Tokens of another application of the same realm: valid, signed by the realm, but not for Berth.
        ObjectNode other = clients.addObject();
        other.put("clientId", OTHER_CLIENT).put("enabled", true).put("publicClient", true)
                .put("directAccessGrantsEnabled", true).put("standardFlowEnabled", false);
        // Tokens for Berth that expire after 2 seconds.
        ObjectNode shortLived = clients.addObject();
        shortLived.put("clientId", SHORT_LIVED_CLIENT).put("enabled", true).put("publicClient", true)
                .put("directAccessGrantsEnabled", true).put("standardFlowEnabled", false);
        shortLived.putObject("attributes").put("access.token.lifespan", "2");
        ObjectNode audience = shortLived.putArray("protocolMappers").addObject();
        audience.put("name", "audience berth-portal").put("protocol", "openid-connect")
                .put("protocolMapper", "oidc-audience-mapper");
        audience.putObject("config").put("included.client.audience", CLIENT).put("access.token.claim", "true")
                .put("id.token.claim", "false");
        json.writerWithDefaultPrettyPrinter().writeValue(to.toFile(), realm);
    }

    private void awaitRealm(Path log) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        URI wellKnown = URI.create(realmUrl() + "/.well-known/openid-configuration");
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + process.exitValue() + ":\n" + tail(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(wellKnown).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        stop();
        throw new IllegalStateException("Keycloak did not serve the realm within " + START_TIMEOUT + ":\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
