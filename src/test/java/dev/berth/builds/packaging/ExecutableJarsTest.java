package dev.berth.builds.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules that choose the executable JAR a build ships, committed or just built. */
class ExecutableJarsTest {
    @TempDir
    Path ctx;

    /** Writes a JAR whose manifest has {@code attributes}; an empty map gives a JAR without Main-Class. */
    private Path jar(String path, Map<String, String> attributes) throws IOException {
        Path p = ctx.resolve(path);
        Files.createDirectories(p.getParent());
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.forEach((k, v) -> m.getMainAttributes().put(new Attributes.Name(k), v));
        try (OutputStream out = Files.newOutputStream(p); JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new JarEntry("demo/Main.class"));
            j.closeEntry();
        }
        return p;
    }

    private Path main(String path) throws IOException {
        return jar(path, Map.of("Main-Class", "demo.Main"));
    }

    @Test
    void sourcesJavadocTestPlainAndShadeOriginalsAreNeverShippedNorAreJarsWithoutMainClass() throws IOException {
        main("target/app-1.0-sources.jar");
        main("target/app-1.0-javadoc.jar");
        main("target/app-1.0-tests.jar");
        main("build/libs/app-1.0-plain.jar");
        main("target/original-app-1.0.jar");
        jar("target/app-1.0.jar", Map.of());
        Files.writeString(ctx.resolve("target/broken.jar"), "not a zip");
        assertThat(ExecutableJars.find(ctx)).isNull();
        assertThat(ExecutableJars.rejected(ctx)).contains("target/app-1.0.jar (no Main-Class in its manifest)",
                "target/app-1.0-sources.jar (skipped: not an application JAR)", "target/broken.jar (no Main-Class",
                "build/libs/app-1.0-plain.jar (skipped");
        assertThat(ExecutableJars.rejected(Files.createDirectories(ctx.resolve("empty")))).isEqualTo("no JAR at all");

        main("target/app-1.0-SNAPSHOT.jar");
        ExecutableJars.Found found = ExecutableJars.find(ctx);
        assertThat(found.jar()).isEqualTo("app-1.0-SNAPSHOT.jar");
        assertThat(found.baseDir()).isEqualTo(ctx.resolve("target"));
        assertThat(found.fastJar()).isFalse();
        assertThat(found.description()).isEqualTo("executable JAR target/app-1.0-SNAPSHOT.jar");
    }

    @Test
    void aJarThatCarriesItsDependenciesWinsOverAThinOne() throws IOException {
        main("build/libs/app-1.0.jar");
        main("build/libs/app-1.0-all.jar");
        assertThat(ExecutableJars.find(ctx).jar()).isEqualTo("app-1.0-all.jar");
        assertThat(ExecutableJars.find(ctx).description()).isEqualTo("executable JAR build/libs/app-1.0-all.jar "
                + "(2 executable JARs found; using the one that carries its dependencies)");

        main("target/a-thin.jar");
        jar("target/z-boot.jar", Map.of("Main-Class", "org.springframework.boot.loader.launch.JarLauncher",
                "Start-Class", "demo.Main", "Spring-Boot-Version", "3.4.0"));
        main("target/zz-jar-with-dependencies.jar");
        // Both carry their dependencies: the first by path.
        assertThat(ExecutableJars.find(ctx).jar()).isEqualTo("app-1.0-all.jar");
        Files.delete(ctx.resolve("build/libs/app-1.0-all.jar"));
        assertThat(ExecutableJars.find(ctx).jar()).isEqualTo("z-boot.jar");
    }

    @Test
    void twoPlainExecutableJarsTakeTheFirstByPathAndSaySo() throws IOException {
        main("app.jar");
        main("target/b.jar");
        ExecutableJars.Found found = ExecutableJars.find(ctx);
        assertThat(found.jar()).isEqualTo("app.jar");
        assertThat(found.description()).endsWith("(2 executable JARs found; using the first by name)");
    }

    @Test
    void aQuarkusFastJarIsShippedWithItsDirectoriesAsTheyAre() throws IOException {
        jar("target/hello-1.0.jar", Map.of()); // Quarkus's thin JAR, no Main-Class
        main("target/quarkus-app/quarkus-run.jar");
        main("target/quarkus-app/lib/main/io.quarkus.quarkus-core-3.31.3.jar");
        main("target/quarkus-app/app/hello-1.0.jar");
        Files.createDirectories(ctx.resolve("target/quarkus-app/quarkus"));
        Files.writeString(ctx.resolve("target/quarkus-app/quarkus/quarkus-application.dat"), "x");
        Files.writeString(ctx.resolve("target/quarkus-app/quarkus-app-dependencies.txt"), "x");
        main("target/other-runner.jar");
        ExecutableJars.Found found = ExecutableJars.find(ctx);
        assertThat(found.fastJar()).isTrue();
        assertThat(found.baseDir()).isEqualTo(ctx.resolve("target/quarkus-app"));
        assertThat(found.jar()).isEqualTo("quarkus-run.jar");
        assertThat(found.dependencies()).containsExactly("lib");
        assertThat(found.appFiles()).containsExactly("app", "quarkus", "quarkus-app-dependencies.txt");
        assertThat(found.description()).startsWith("Quarkus fast-jar target/quarkus-app/ (quarkus-run.jar with lib, app");

        Files.move(ctx.resolve("target"), ctx.resolve("build"));
        assertThat(ExecutableJars.find(ctx).baseDir()).isEqualTo(ctx.resolve("build/quarkus-app"));
    }

    @Test
    void theClassPathOfAThinJarIsShippedNextToItAndWhatIsMissingIsReported() throws IOException {
        jar("target/app.jar", Map.of("Main-Class", "demo.Main",
                "Class-Path", "lib/a-1.0.jar lib/b-2.0.jar ../../../../etc/passwd file:/opt/x.jar"));
        jar("target/lib/a-1.0.jar", Map.of());
        ExecutableJars.Found found = ExecutableJars.find(ctx);
        assertThat(found.dependencies()).containsExactly("lib/a-1.0.jar");
        assertThat(found.missing()).containsExactly("lib/b-2.0.jar");
        assertThat(found.description()).isEqualTo("executable JAR target/app.jar with the file its Class-Path names");
    }
}
