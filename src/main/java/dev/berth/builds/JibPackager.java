package dev.berth.builds;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Packages apps without a Dockerfile with Jib (no build tool, no daemon): an executable JAR onto the configured
 * JRE base image, or a directory of static files onto the configured static-server base image. Detection says
 * exactly what it found, and when it finds nothing, what to add.
 */
@ApplicationScoped
public class JibPackager {
    static final List<String> JAR_DIRS = List.of("", "target", "build/libs");
    static final List<String> STATIC_DIRS = List.of("", "public", "dist", "build", "site", "_site", "www");
    static final String JAR_PATH = "/app/app.jar";

    @Inject
    BuildsConfig config;

    /** What was found and will be packaged. */
    public record Detection(String strategy, Path path, String description) {
    }

    /** The first thing Berth can package in {@code context}: an executable JAR, else a static site; null if none. */
    public Detection detect(Path context) throws IOException {
        List<Path> jars = new ArrayList<>();
        for (String d : JAR_DIRS) {
            Path dir = context.resolve(d);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.filter(JibPackager::isExecutableJar).forEach(jars::add);
                }
            }
        }
        if (!jars.isEmpty()) {
            jars.sort(Comparator.comparing(Path::toString));
            Path jar = jars.get(0);
            String more = jars.size() == 1 ? "" : " (" + jars.size() + " executable JARs found; using the first by name)";
            return new Detection("jar", jar, "no Dockerfile; executable JAR " + context.relativize(jar) + more
                    + ", packaged with Jib on " + config.jib().jreBaseImage());
        }
        for (String d : STATIC_DIRS) {
            Path dir = context.resolve(d);
            if (Files.isRegularFile(dir.resolve("index.html"))) {
                String where = d.isEmpty() ? "the top-level directory" : d + "/";
                return new Detection("static", dir, "no Dockerfile; static site in " + where
                        + " (index.html), packaged with Jib on " + config.jib().staticBaseImage() + " under "
                        + config.jib().staticRoot());
            }
        }
        return null;
    }

    /** The failure message when there is neither a Dockerfile nor anything to package: what to add, and where. */
    static String nothingFound(String subDir, String dockerfile) {
        String at = subDir == null ? dockerfile : subDir + "/" + dockerfile;
        return "nothing to build: there is no Dockerfile at '" + at + "', no executable JAR (a JAR with Main-Class in "
                + "its manifest at the top level, in target/ or in build/libs/) and no static site (index.html at the "
                + "top level or in public/, dist/, build/, site/, _site/ or www/). Add one of these, or set the source's "
                + "Dockerfile path.";
    }

    String buildAndPush(BuildSpec spec, Detection found, BuildLog.Writer log, BuildControl control,
            BuildExecutor.Stages stages) throws Exception {
        JibContainerBuilder image;
        if (found.strategy().equals("jar")) {
            image = Jib.from(base(config.jib().jreBaseImage()))
                    .addFileEntriesLayer(FileEntriesLayer.builder().setName("app")
                            .addEntry(found.path(), AbsoluteUnixPath.get(JAR_PATH)).build())
                    .setEntrypoint(config.jib().javaCommand(), "-jar", JAR_PATH);
        } else {
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
        }
        image.addLabel("org.opencontainers.image.revision", spec.commitSha());
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

    private RegistryImage base(String ref) throws Exception {
        RegistryImage image = RegistryImage.named(ref);
        if (ref.startsWith(config.registry().host() + "/")) {
            credentials(image);
        }
        return image;
    }

    private void credentials(RegistryImage image) {
        config.registry().username().ifPresent(u -> image.addCredential(u, config.registry().password().orElse("")));
    }

    private static boolean isExecutableJar(Path p) {
        String name = p.getFileName().toString();
        if (!name.endsWith(".jar") || name.endsWith("-sources.jar") || name.endsWith("-javadoc.jar")
                || name.startsWith("original-") || !Files.isRegularFile(p)) {
            return false;
        }
        try (JarFile jar = new JarFile(p.toFile())) {
            return jar.getManifest() != null && jar.getManifest().getMainAttributes().getValue("Main-Class") != null;
        } catch (IOException e) {
            return false;
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + c.getMessage() + ")";
    }
}
