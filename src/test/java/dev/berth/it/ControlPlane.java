package dev.berth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real kube-apiserver and kube-controller-manager (v1.20.2) with etcd, on loopback, for the integration tests:
 * started once per test JVM by {@code src/test/kube/control-plane.sh} (which builds the binaries on a machine's
 * first run) in a directory of its own under {@code target/}, with free ports, and stopped when the JVM ends.
 *
 * <p>Berth is bound exactly as {@code deploy/} binds it: the namespace, service account and RBAC manifests are
 * applied unchanged, and Berth's kubeconfig carries that service account's token. The tests themselves use the
 * {@code admin} token (system:masters) to look at the cluster and to run {@link TestKubelet}.
 *
 * <p>Every write reaches the audit log ({@link #writes}), so tests count Berth's writes from the server's side.
 */
public final class ControlPlane {
    /** The user name Berth's writes carry in the audit log. */
    public static final String BERTH_USER = "system:serviceaccount:berth-system:berth";
    private static final Path SCRIPT = Path.of("src/test/kube/control-plane.sh").toAbsolutePath();
    private static ControlPlane instance;

    private final Path run;
    private final Map<String, String> env;
    private final KubernetesClient admin;
    private final Path berthKubeconfig;
    private final TestKubelet kubelet;
    private final String url;

    private ControlPlane(Path run, Map<String, String> env, int port) throws IOException, InterruptedException {
        this.run = run;
        this.env = env;
        this.url = "https://127.0.0.1:" + port;
        script("start", Duration.ofMinutes(60));
        Config config = Config.fromKubeconfig(null, Files.readString(run.resolve("kubeconfig")), null);
        config.setRequestTimeout(15_000);
        this.admin = new KubernetesClientBuilder().withConfig(config).build();
        applyDeployManifests();
        this.berthKubeconfig = writeBerthKubeconfig();
        this.kubelet = new TestKubelet(admin, Duration.ofMillis(300), run.resolve("pods"));
    }

    /** The control plane of this JVM, started on first use. */
    public static synchronized ControlPlane get() {
        if (instance == null) {
            try {
                reapLeftovers();
                Path run = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "kube-run-");
                int port = freePort();
                Map<String, String> env = Map.of("KUBE_RUN", run.toString(), "KUBE_PORT", Integer.toString(port),
                        "ETCD_PORT", Integer.toString(freePort()), "ETCD_PEER_PORT", Integer.toString(freePort()));
                instance = new ControlPlane(run, env, port);
                ControlPlane started = instance;
                Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "control-plane-stop"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    public KubernetesClient admin() {
        return admin;
    }

    public TestKubelet kubelet() {
        return kubelet;
    }

    /** The kubeconfig Berth connects with: the service account of deploy/, nothing more. */
    public Path berthKubeconfig() {
        return berthKubeconfig;
    }

    public String url() {
        return url;
    }

    /** Stops the apiserver alone (etcd and the controller-manager stay): the region becomes unreachable. */
    public void stopApiServer() {
        kill("apiserver");
    }

    /** Starts the apiserver again on the same port and data, and waits until it is ready. */
    public void startApiServer() {
        script("start-apiserver", Duration.ofMinutes(2));
    }

    private void kill(String process) {
        try {
            long pid = Long.parseLong(Files.readString(run.resolve(process + ".pid")).trim());
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroy();
                p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> {
                    p.destroyForcibly();
                    return p;
                }).join();
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line of the audit log: a write the apiserver accepted or refused. */
    public record Write(Instant at, String user, String verb, String resource, String namespace, String name,
            String subresource, int code) {
    }

    /** Berth's writes at or after {@code since} that match the filter, read from the audit log. */
    public List<Write> writes(Instant since, Predicate<Write> filter) {
        List<Write> found = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try {
            Path log = run.resolve("audit.log");
            if (!Files.exists(log)) {
                return found;
            }
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                JsonNode e = json.readTree(line);
                JsonNode ref = e.path("objectRef");
                Write w = new Write(Instant.parse(e.path("requestReceivedTimestamp").asText()),
                        e.path("user").path("username").asText(), e.path("verb").asText(),
                        ref.path("resource").asText(), ref.path("namespace").asText(null), ref.path("name").asText(null),
                        ref.path("subresource").asText(null), e.path("responseStatus").path("code").asInt());
                if (!w.at().isBefore(since) && BERTH_USER.equals(w.user()) && filter.test(w)) {
                    found.add(w);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** Berth's writes to one namespace since the given time. */
    public List<Write> writes(Instant since, String namespace) {
        return writes(since, w -> namespace.equals(w.namespace()));
    }

    private void applyDeployManifests() {
        for (String file : List.of("namespace.yaml", "serviceaccount.yaml", "rbac.yaml")) {
            try (InputStream in = Files.newInputStream(Path.of("deploy", file))) {
                for (HasMetadata o : admin.load(in).items()) {
                    admin.resource(o).create();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Waits for the token controller to issue the service account's token, and writes Berth's kubeconfig. */
    private Path writeBerthKubeconfig() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        String token = null;
        while (token == null) {
            ServiceAccount sa = admin.serviceAccounts().inNamespace("berth-system").withName("berth").get();
            if (sa != null && sa.getSecrets() != null) {
                for (var ref : sa.getSecrets()) {
                    Secret s = admin.secrets().inNamespace("berth-system").withName(ref.getName()).get();
                    if (s != null && s.getData() != null && s.getData().get("token") != null) {
                        token = new String(Base64.getDecoder().decode(s.getData().get("token")), StandardCharsets.UTF_8);
                    }
                }
            }
            if (token == null) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("no token for berth-system/berth; see " + run + "/controller-manager.log");
                }
                Thread.sleep(100);
            }
        }
        String ca = Base64.getEncoder().encodeToString(Files.readAllBytes(run.resolve("certs/apiserver.crt")));
        Path file = run.resolve("berth.kubeconfig");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: real
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: berth
                  user:
                    token: %s
                contexts:
                - name: real
                  context:
                    cluster: real
                    user: berth
                current-context: real
                """.formatted(url, ca, token));
        return file;
    }

    private void script(String command, Duration timeout) {
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), command).redirectErrorStream(true)
                    .redirectOutput(run.resolve("script-" + command + ".log").toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("control-plane.sh " + command + " failed: "
                        + Files.readString(run.resolve("script-" + command + ".log")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void stop() {
        kubelet.close();
        admin.close();
        script("stop", Duration.ofSeconds(30));
    }

    /** Stops control planes that a killed test JVM left running (their pid files are still in target/). */
    private static void reapLeftovers() throws IOException {
        try (var dirs = Files.newDirectoryStream(Path.of("target").toAbsolutePath(), "kube-run-*")) {
            for (Path dir : dirs) {
                for (String p : List.of("controller-manager", "apiserver", "etcd")) {
                    Path pid = dir.resolve(p + ".pid");
                    if (Files.exists(pid)) {
                        ProcessHandle.of(Long.parseLong(Files.readString(pid).trim()))
                                .filter(h -> h.info().command().map(c -> c.endsWith(p.equals("etcd") ? "etcd" : "kube-" + p))
                                        .orElse(false))
                                .ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
