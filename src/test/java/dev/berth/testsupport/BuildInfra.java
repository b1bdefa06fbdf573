package dev.berth.testsupport;

import dev.berth.builds.run.ProcessTree;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The real parts build tests run against, all on loopback: Debian's {@code docker-registry} (an OCI registry)
 * and {@code git daemon} serving repositories from a temporary directory. Started once per test run; Berth is
 * pointed at the registry and allow-lists loopback for its SSRF checks. Base images are built locally from
 * busybox-static ({@link #baseImage()}), since public registries are unreachable.
 */
public class BuildInfra implements QuarkusTestResourceLifecycleManager {
    /** The test registry's only account (htpasswd); Berth gets it through an auth file, tests through {@link #creds()}. */
    public static final String REGISTRY_USER = "berth-ci";
    public static final String REGISTRY_PASSWORD = "registry-" + java.util.UUID.randomUUID();
    private static final String PREFIX = "berth-build-infra";
    private static final String OWNER = "owner.pid";
    private static boolean stopAtExit;
    private static Path root;
    private static int registryPort;
    private static int gitPort;
    private static Process registry;
    private static Process git;
    private static String baseImage;

    @Override
    public synchronized Map<String, String> start() {
        try {
            reapLeftovers();
            root = Files.createTempDirectory(PREFIX);
            Files.writeString(root.resolve(OWNER), Long.toString(ProcessHandle.current().pid()));
            // A test profile's resources are not always stopped before its JVM ends (the integration tests' are not),
            // and a killed JVM runs no hook: the registry and git daemon run behind Berth's process guard, which
            // stops them when this JVM's pipe to them closes, however it ends.
            if (!stopAtExit) {
                stopAtExit = true;
                Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "build-infra-stop"));
            }
            Path repos = Files.createDirectories(root.resolve("repos"));
            registryPort = freePort();
            Path config = root.resolve("registry.yml");
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: error
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                    auth:
                      htpasswd:
                        realm: berth-tests
                        path: %s
                    """.formatted(root.resolve("registry-data"), registryPort, root.resolve("htpasswd")));
            // The registry wants a login, as real ones do: Berth pushes with the credential of a Docker config file
            // (as mounted from a dockerconfigjson Secret), so every build test proves pushes and base-image pulls
            // carry it.
            Files.writeString(root.resolve("htpasswd"), REGISTRY_USER + ":" + BcryptUtil.bcryptHash(REGISTRY_PASSWORD) + "\n");
            String auth = java.util.Base64.getEncoder().encodeToString((REGISTRY_USER + ":" + REGISTRY_PASSWORD)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Files.writeString(root.resolve("registry-auth.json"),
                    "{\"auths\":{\"http://127.0.0.1:" + registryPort + "/v2/\":{\"auth\":\"" + auth + "\"}}}");
            registry = new ProcessBuilder(ProcessTree.guarded(List.of("docker-registry", "serve", config.toString())))
                    .redirectErrorStream(true).redirectOutput(root.resolve("registry.log").toFile()).start();
            gitPort = freePort();
            git = new ProcessBuilder(ProcessTree.guarded(List.of("git", "daemon", "--listen=127.0.0.1", "--port=" + gitPort,
                    "--export-all", "--reuseaddr", "--base-path=" + repos, repos.toString())))
                    .redirectErrorStream(true).redirectOutput(root.resolve("git-daemon.log").toFile()).start();
            waitForPort(registryPort);
            waitForPort(gitPort);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the registry and git daemon for build tests "
                    + "(are docker-registry and git installed? .ci/run installs them)", e);
        }
        return Map.of("berth.builds.registry.host", registry(), "berth.builds.registry.insecure", "true",
                "berth.builds.registry.auth-file", root.resolve("registry-auth.json").toString(),
                "berth.builds.workspace-dir", root.resolve("work").toString(),
                "berth.builds.cache-dir", root.resolve("cache").toString(),
                "berth.builds.jib.static-base-image", registry() + "/base/busybox:1",
                "berth.builds.jib.static-root", "/www",
                "berth.builds.jib.static-entrypoint", "httpd -f -p 8080 -h /www",
                "berth.builds.jib.jre-base-image", registry() + "/base/busybox:1");
    }

    @Override
    public synchronized void stop() {
        // git daemon runs its server as a child process: the whole tree goes, not only the process started here.
        for (Process p : new Process[] {registry, git}) {
            if (p != null) {
                kill(p.toHandle());
            }
        }
    }

    private static void kill(ProcessHandle p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // gone or going: nothing more to do
        }
    }

    /**
     * A test JVM that was killed never stopped its registry and git daemon: their directories name the JVM that owned
     * them ({@code owner.pid}), and when that JVM is gone, every process still working in the directory is stopped
     * and the directory removed. Directories of running JVMs are left alone.
     */
    private static void reapLeftovers() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (var dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path dir : dirs) {
                Path owner = dir.resolve(OWNER);
                if (!Files.exists(owner)) {
                    continue;
                }
                long pid = Long.parseLong(Files.readString(owner).trim());
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                String path = dir.toString();
                ProcessHandle.allProcesses().filter(h -> h.info().commandLine().map(c -> c.contains(path)).orElse(false))
                        .forEach(BuildInfra::kill);
                try (var paths = Files.walk(dir)) {
                    for (Path f : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(f);
                    }
                } catch (IOException e) {
                    // buildah's storage may hold files only root can remove; the next run tries again
                }
            }
        }
    }

    public static String registry() {
        return "127.0.0.1:" + registryPort;
    }

    /** {@code user:password} of the test registry, for buildah's {@code --creds}. */
    public static String creds() {
        return REGISTRY_USER + ":" + REGISTRY_PASSWORD;
    }

    /** The Docker config file Berth reads the registry credential from (berth.builds.registry.auth-file). */
    public static Path registryAuthFile() {
        return root.resolve("registry-auth.json");
    }

    public static Path reposDir() {
        return root.resolve("repos");
    }

    public static Path workspaceDir() {
        return root.resolve("work");
    }

    public static String gitUrl(String repo) {
        return "git://127.0.0.1:" + gitPort + "/" + repo;
    }

    /** A busybox image in the test registry ({@code <registry>/base/busybox:1}), built once from busybox-static. */
    public static synchronized String baseImage() {
        if (baseImage != null) {
            return baseImage;
        }
        try {
            Path ctx = Files.createDirectories(root.resolve("base-image"));
            Files.copy(Path.of("/bin/busybox"), ctx.resolve("busybox"));
            Files.writeString(ctx.resolve("Dockerfile"), """
                    FROM scratch
                    COPY busybox /bin/busybox
                    RUN ["/bin/busybox", "--install", "-s", "/bin"]
                    ENV PATH=/bin
                    """);
            String ref = registry() + "/base/busybox:1";
            List<String> storage = List.of("buildah", "--root", root.resolve("base-storage").toString(), "--runroot",
                    root.resolve("base-run").toString(), "--storage-driver", "vfs");
            run(concat(storage, List.of("bud", "--isolation", "chroot", "-t", ref, ctx.toString())));
            run(concat(storage, List.of("push", "--tls-verify=false", "--creds", creds(), ref, "docker://" + ref)));
            baseImage = ref;
            return ref;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot build the busybox base image", e);
        }
    }

    /**
     * An image with no files whose config runs as {@code user} (empty: no user, i.e. root) and exposes {@code port},
     * pushed to the test registry as {@code <registry>/<repoAndTag>}; returns its reference.
     */
    public static synchronized String configOnlyImage(String repoAndTag, String user, int port) {
        String ref = registry() + "/" + repoAndTag;
        try {
            String[] out = buildah("from", "scratch").strip().split("\n");
            String ctr = out[out.length - 1].strip();
            List<String> config = new java.util.ArrayList<>(List.of("config", "--port", Integer.toString(port)));
            if (!user.isEmpty()) {
                config.addAll(List.of("--user", user));
            }
            config.add(ctr);
            buildah(config.toArray(String[]::new));
            buildah("commit", "-q", ctr, ref);
            buildah("rm", ctr);
            buildah("push", "-q", "--tls-verify=false", "--creds", creds(), ref, "docker://" + ref);
            return ref;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot build the image " + ref, e);
        }
    }

    /**
     * A manifest list (image index) pushed as {@code <registry>/<repoAndTag>}, with an entry per architecture
     * ({@code amd64}, {@code arm64}) for images already in the test registry.
     */
    public static synchronized String manifestList(String repoAndTag, Map<String, String> imageByArch) {
        String ref = registry() + "/" + repoAndTag;
        String list = "list-" + java.util.UUID.randomUUID();
        try {
            buildah("manifest", "create", list);
            for (Map.Entry<String, String> e : imageByArch.entrySet()) {
                buildah("manifest", "add", "--tls-verify=false", "--creds", creds(), "--os", "linux", "--arch",
                        e.getKey(), list, "docker://" + e.getValue());
            }
            buildah("manifest", "push", "--all", "--tls-verify=false", "--creds", creds(), list, "docker://" + ref);
            buildah("manifest", "rm", list);
            return ref;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot push the manifest list " + ref, e);
        }
    }

    private static String buildah(String... args) throws IOException, InterruptedException {
        return run(concat(List.of("buildah", "--root", root.resolve("base-storage").toString(), "--runroot",
                root.resolve("base-run").toString(), "--storage-driver", "vfs"), List.of(args)));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void waitForPort(int port) throws IOException {
        Instant until = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(until)) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IOException("nothing listens on 127.0.0.1:" + port + " after 20 s");
    }
}
