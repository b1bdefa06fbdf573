package dev.berth.builds.packaging;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.Port;
import dev.berth.builds.executors.BuildExecutor;
import dev.berth.builds.executors.BuildExecutors;
import dev.berth.builds.executors.BuildSpec;
import dev.berth.builds.registry.RegistryAuth;
import dev.berth.builds.run.BuildControl;
import dev.berth.builds.run.BuildFailure;
import dev.berth.builds.run.BuildLog;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.builds.run.ProcessRunner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Packages apps without a Dockerfile with Jib (no daemon): an executable JAR, committed or produced by the
 * repository's own Maven or Gradle build ({@link ToolBuild}), onto the configured JRE base image, or a directory of
 * static files onto the configured static-server base image. Detection says exactly what it found, and when it finds
 * nothing, what to add.
 *
 * <p>Every image runs as the numeric non-root {@code berth.builds.jib.user} (default {@code 65532:65532}) and
 * declares the app's port as exposed: app pods run with {@code runAsNonRoot} (Pod Security {@code restricted}), and
 * a kubelet refuses an image without a user (root) or with a user name it cannot check. Jib writes files 644 and
 * directories 755 owned by root, so that user can read everything Berth ships but writes only where the base image
 * lets anyone write (such as {@code /tmp}).
 */
@ApplicationScoped
public class JibPackager {
    static final List<String> STATIC_DIRS = List.of("", "public", "dist", "build", "site", "_site", "www");
    static final String APP_DIR = "/app";
    static final String JAR_PATH = APP_DIR + "/app.jar";
    /** uid or uid:gid, numbers only, uid not 0: what a kubelet accepts under runAsNonRoot without an explicit runAsUser. */
    static final Pattern NON_ROOT_USER = Pattern.compile("0*[1-9][0-9]*(:[0-9]+)?");

    @Inject
    BuildsConfig config;
    @Inject
    ToolBuild tools;
    @Inject
    BuildExecutors executors;
    @Inject
    RegistryAuth auth;

    /**
     * What was found and will be packaged: a committed executable JAR ({@code jar} set), a project to build first
     * ({@code tool} set), or a static site ({@code path} is its directory).
     */
    public record Detection(String strategy, Path path, String description, ExecutableJars.Found jar, BuildTool tool) {
    }

    /**
     * The first thing Berth can package in {@code context}, in this order: a committed executable JAR, a Maven or
     * Gradle project (when {@code berth.builds.jib.build-tools} is on), a static site; null if none.
     */
    public Detection detect(Path context) throws IOException {
        String jre = config.jib().jreBaseImage();
        ExecutableJars.Found jar = ExecutableJars.find(context);
        if (jar != null) {
            return new Detection("jar", jar.baseDir().resolve(jar.jar()), "no Dockerfile; " + jar.description()
                    + ", packaged with Jib on " + jre, jar, null);
        }
        BuildTool tool = config.jib().buildTools() ? BuildTool.detect(context, System.getenv("PATH")) : null;
        if (tool != null && !executors.onHost()) {
            throw new BuildFailure("no Dockerfile and no committed executable JAR, but a " + tool.kind.title
                    + " project (" + tool.buildFile + "): its build would run the repository's code, and this "
                    + "installation runs builds isolated in the cluster, where Berth packages committed JARs and static"
                    + " sites without a Dockerfile. Add a Dockerfile (a multi-stage one that runs " + tool.kind.title
                    + " is shown in docs/builds.md), or commit the executable JAR.");
        }
        if (tool != null) {
            String how = tool.launcher == null ? ", but " + tool.kind.title + " is not installed on the Berth host"
                    : ", built with " + tool.summary() + "; the executable JAR it produces is packaged with Jib on " + jre;
            return new Detection(tool.kind.strategy, context, "no Dockerfile and no committed executable JAR; "
                    + tool.kind.title + " project (" + tool.buildFile + ")" + how, null, tool);
        }
        for (String d : STATIC_DIRS) {
            Path dir = context.resolve(d);
            if (Files.isRegularFile(dir.resolve("index.html"))) {
                String where = d.isEmpty() ? "the top-level directory" : d + "/";
                return new Detection("static", dir, "no Dockerfile; static site in " + where
                        + " (index.html), packaged with Jib on " + config.jib().staticBaseImage() + " under "
                        + config.jib().staticRoot(), null, null);
            }
        }
        return null;
    }

    /** The failure message when there is neither a Dockerfile nor anything to package: what to add, and where. */
    public static String nothingFound(String subDir, String dockerfile) {
        String at = subDir == null ? dockerfile : subDir + "/" + dockerfile;
        return "nothing to build: there is no Dockerfile at '" + at + "', no executable JAR (a JAR with Main-Class in "
                + "its manifest at the top level, in target/ or in build/libs/), no Maven or Gradle project that Berth "
                + "builds (pom.xml, build.gradle or build.gradle.kts, unless the operator switched building off with "
                + "berth.builds.jib.build-tools) and no static site (index.html at the top level or in public/, dist/, "
                + "build/, site/, _site/ or www/). Add one of these, or set the source's Dockerfile path.";
    }

    public String buildAndPush(BuildSpec spec, Detection found, BuildLog.Writer log, BuildControl control,
            BuildExecutor.Stages stages, Consumer<String> detected) throws Exception {
        JibContainerBuilder image;
        if (found.strategy().equals("static")) {
            FileEntriesLayer.Builder files = FileEntriesLayer.builder().setName("site");
            AbsoluteUnixPath root = AbsoluteUnixPath.get(config.jib().staticRoot());
            try (Stream<Path> s = Files.list(found.path())) {
                for (Path p : s.sorted().toList()) {
                    if (!p.getFileName().toString().startsWith(".git")) {
                        files.addEntryRecursive(p, root.resolve(p.getFileName()));
                    }
                }
            }
            image = Jib.from(base(config.jib().staticBaseImage())).addFileEntriesLayer(files.build());
            config.jib().staticEntrypoint().ifPresent(e -> image.setEntrypoint(Arrays.asList(e.trim().split("\\s+"))));
        } else {
            ExecutableJars.Found jar = found.tool() == null ? found.jar()
                    : tools.build(spec, found.tool(), log, control, detected);
            if (control.stopped()) {
                throw new ProcessRunner.StoppedException(control.stopReason());
            }
            image = jarImage(jar, log);
        }
        image.addLabel("org.opencontainers.image.revision", spec.commitSha());
        image.setUser(runAsUser(config.jib().user())).addExposedPort(Port.tcp(spec.port()));
        RegistryImage target = RegistryImage.named(spec.imageRef());
        credentials(target);
        Path cache = Path.of(config.cacheDir(), "app-" + spec.appId(), "jib");
        Containerizer to = Containerizer.to(target).setToolName("berth")
                .setAllowInsecureRegistries(config.registry().insecure())
                .setBaseImageLayersCache(Files.createDirectories(cache.resolve("base")))
                .setApplicationLayersCache(Files.createDirectories(cache.resolve("app")))
                .addEventHandler(LogEvent.class, e -> {
                    if (e.getLevel().ordinal() <= LogEvent.Level.LIFECYCLE.ordinal()) {
                        log.line(e.getMessage());
                    }
                });
        log.line("Jib: building " + spec.imageRef() + " (" + found.strategy() + ")");
        stages.pushing(); // Jib builds and pushes layer by layer in one step
        ExecutorService runner = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "build-jib");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<JibContainer> result = runner.submit(() -> image.containerize(to));
            while (true) {
                try {
                    return result.get(200, TimeUnit.MILLISECONDS).getDigest().toString();
                } catch (TimeoutException waiting) {
                    if (control.stopped()) {
                        result.cancel(true);
                        throw new ProcessRunner.StoppedException(control.stopReason());
                    }
                } catch (ExecutionException e) {
                    throw new BuildFailure("Jib could not build or push the image: " + rootMessage(e.getCause()));
                }
            }
        } finally {
            runner.shutdownNow();
        }
    }

    /** The configured user, checked: a build fails rather than push an image that app pods cannot run. */
    static String runAsUser(String user) {
        String u = user == null ? "" : user.trim();
        if (!NON_ROOT_USER.matcher(u).matches() || Long.parseLong(u.split(":")[0]) > Integer.MAX_VALUE) {
            throw new BuildFailure("berth.builds.jib.user is '" + u + "', but apps run with runAsNonRoot: set a numeric "
                    + "uid from 1 to 2147483647, optionally with :gid (for example 65532:65532)");
        }
        return u;
    }

    private RegistryImage base(String ref) throws Exception {
        RegistryImage image = RegistryImage.named(ref);
        if (ref.startsWith(config.registry().host() + "/")) {
            credentials(image);
        }
        return image;
    }

    private void credentials(RegistryImage image) {
        if (config.registry().insecure()) {
            // Jib takes this switch from a system property only. The operator declared the registry insecure
            // (plain HTTP, typically on loopback or a private network), so its credential may travel over HTTP.
            System.setProperty("sendCredentialsOverHttp", "true");
        }
        auth.credential().ifPresent(c -> image.addCredential(c.username(), c.password()));
    }

    /**
     * The JAR at {@code /app/app.jar} (a Quarkus fast-jar keeps its layout under {@code /app}), run with
     * {@code java -jar}. Libraries (a fast-jar's {@code lib/}, a thin JAR's Class-Path) go into a layer of their own,
     * so a rebuild that changes only the application pushes only the small layer.
     */
    private JibContainerBuilder jarImage(ExecutableJars.Found jar, BuildLog.Writer log) throws Exception {
        AbsoluteUnixPath app = AbsoluteUnixPath.get(APP_DIR);
        String target = jar.fastJar() ? APP_DIR + "/" + jar.jar() : JAR_PATH;
        JibContainerBuilder image = Jib.from(base(config.jib().jreBaseImage()));
        if (!jar.dependencies().isEmpty()) {
            FileEntriesLayer.Builder deps = FileEntriesLayer.builder().setName("dependencies");
            for (String f : jar.dependencies()) {
                deps.addEntryRecursive(jar.baseDir().resolve(f), app.resolve(f));
            }
            image.addFileEntriesLayer(deps.build());
        }
        FileEntriesLayer.Builder files = FileEntriesLayer.builder().setName("app")
                .addEntry(jar.baseDir().resolve(jar.jar()), AbsoluteUnixPath.get(target));
        for (String f : jar.appFiles()) {
            files.addEntryRecursive(jar.baseDir().resolve(f), app.resolve(f));
        }
        if (!jar.missing().isEmpty()) {
            log.line("Warning: the JAR's Class-Path names files that are not there: " + String.join(", ", jar.missing())
                    + "; the app may not start. Ship them next to the JAR or build a JAR that carries them.");
        }
        return image.addFileEntriesLayer(files.build()).setEntrypoint(config.jib().javaCommand(), "-jar", target);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + c.getMessage() + ")";
    }
}
