package dev.berth.builds.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Finds the executable JAR in a build context, committed or just built, and what has to lie next to it in the image.
 * The rules, in order:
 * <ol>
 * <li>a Quarkus fast-jar ({@code target/quarkus-app/quarkus-run.jar} or {@code build/quarkus-app/...}) wins, with its
 * {@code lib/}, {@code app/} and {@code quarkus/} directories taken as they are;</li>
 * <li>otherwise JARs with a {@code Main-Class} at the top level, in {@code target/} or in {@code build/libs/}, except
 * sources, javadoc and test JARs, Gradle's {@code -plain} JARs and the shade plugin's {@code original-*} copies;</li>
 * <li>among several, those that carry their dependencies (Spring Boot, {@code -all}, {@code -jar-with-dependencies},
 * {@code -runner}, {@code -shaded}, {@code -fat}, {@code -uber}) come first, then the first by path;</li>
 * <li>files a thin JAR names in its {@code Class-Path} are shipped next to it when they exist.</li>
 * </ol>
 */
final class ExecutableJars {
    static final List<String> JAR_DIRS = List.of("", "target", "build/libs");
    static final List<String> FAST_JAR_DIRS = List.of("target/quarkus-app", "build/quarkus-app");
    static final String FAST_JAR = "quarkus-run.jar";
    private static final List<String> SKIPPED_SUFFIXES = List.of("-sources.jar", "-javadoc.jar", "-tests.jar",
            "-test-sources.jar", "-test.jar", "-plain.jar");
    private static final List<String> FAT_SUFFIXES = List.of("-all.jar", "-jar-with-dependencies.jar", "-runner.jar",
            "-shaded.jar", "-fat.jar", "-uber.jar");

    private ExecutableJars() {
    }

    /**
     * What is packaged: {@code jar} (relative to {@code baseDir}) is run with {@code java -jar}; {@code dependencies}
     * (rarely changing, their own image layer) and {@code appFiles} are copied next to it with their relative paths;
     * {@code missing} are Class-Path entries that do not exist; {@code description} says what was found.
     */
    record Found(Path baseDir, String jar, boolean fastJar, List<String> dependencies, List<String> appFiles,
            List<String> missing, String description) {
    }

    /** The executable JAR in {@code context} by the rules above, or null if there is none. */
    static Found find(Path context) throws IOException {
        for (String d : FAST_JAR_DIRS) {
            Path dir = context.resolve(d);
            if (Files.isRegularFile(dir.resolve(FAST_JAR))) {
                return fastJar(dir, d);
            }
        }
        List<Path> jars = new ArrayList<>();
        for (Path p : jarFiles(context)) {
            if (!skipped(p.getFileName().toString()) && manifest(p, Attributes.Name.MAIN_CLASS) != null) {
                jars.add(p);
            }
        }
        if (jars.isEmpty()) {
            return null;
        }
        jars.sort(Comparator.comparing((Path p) -> carriesDependencies(p) ? 0 : 1).thenComparing(Path::toString));
        Path jar = jars.get(0);
        String why = jars.size() == 1 ? ""
                : " (" + jars.size() + " executable JARs found; using "
                        + (carriesDependencies(jar) ? "the one that carries its dependencies" : "the first by name") + ")";
        Path base = jar.getParent();
        List<String> deps = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        String classPath = manifest(jar, Attributes.Name.CLASS_PATH);
        if (classPath != null) {
            for (String entry : classPath.trim().split("\\s+")) {
                Path f = base.resolve(entry).normalize();
                if (entry.isEmpty() || entry.contains(":") || !f.startsWith(context)) {
                    continue; // absolute or URL entries are the base image's business
                }
                (Files.isRegularFile(f) ? deps : missing).add(entry);
            }
        }
        String with = deps.isEmpty() ? "" : " with the " + (deps.size() == 1 ? "file" : deps.size() + " files")
                + " its Class-Path names";
        return new Found(base, jar.getFileName().toString(), false, deps, List.of(), missing,
                "executable JAR " + rel(context, jar) + with + why);
    }

    /**
     * The JARs that are there but not executable, each with the reason, for the message that says what to add;
     * "none" when there are no JARs at all.
     */
    static String rejected(Path context) throws IOException {
        List<String> found = new ArrayList<>();
        for (Path p : jarFiles(context)) {
            String name = p.getFileName().toString();
            found.add(rel(context, p) + (skipped(name) ? " (skipped: not an application JAR)"
                    : manifest(p, Attributes.Name.MAIN_CLASS) == null ? " (no Main-Class in its manifest)" : ""));
        }
        return found.isEmpty() ? "no JAR at all" : String.join(", ", found);
    }

    private static Found fastJar(Path dir, String rel) throws IOException {
        List<String> deps = new ArrayList<>();
        List<String> app = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.equals(FAST_JAR)) {
                    continue;
                }
                (name.equals("lib") ? deps : app).add(name);
            }
        }
        return new Found(dir, FAST_JAR, true, deps, app, List.of(),
                "Quarkus fast-jar " + rel + "/ (" + FAST_JAR + " with " + String.join(", ", deps.isEmpty() ? app
                        : Stream.concat(deps.stream(), app.stream()).toList()) + ")");
    }

    private static List<Path> jarFiles(Path context) throws IOException {
        List<Path> jars = new ArrayList<>();
        for (String d : JAR_DIRS) {
            Path dir = context.resolve(d);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)).sorted()
                            .forEach(jars::add);
                }
            }
        }
        return jars;
    }

    static boolean skipped(String name) {
        return name.startsWith("original-") || SKIPPED_SUFFIXES.stream().anyMatch(name::endsWith);
    }

    private static boolean carriesDependencies(Path jar) {
        String name = jar.getFileName().toString();
        return FAT_SUFFIXES.stream().anyMatch(name::endsWith)
                || manifest(jar, new Attributes.Name("Spring-Boot-Version")) != null;
    }

    /** A main attribute of the JAR's manifest; null when it is missing or the file is no readable JAR. */
    static String manifest(Path jar, Attributes.Name attribute) {
        try (JarFile f = new JarFile(jar.toFile())) {
            Manifest m = f.getManifest();
            return m == null ? null : m.getMainAttributes().getValue(attribute);
        } catch (IOException e) {
            return null;
        }
    }

    private static String rel(Path context, Path p) {
        return context.relativize(p).toString();
    }
}
