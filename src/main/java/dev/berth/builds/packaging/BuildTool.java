package dev.berth.builds.packaging;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The repository's own build tool (Maven or Gradle): which one a build context asks for, which launcher runs it (the
 * repository's wrapper when it is committed executable, else the tool on the Berth host's PATH), its command line,
 * and the scrubbed environment it runs in. Pure: running it is {@link JibPackager}'s job, through
 * {@link dev.berth.builds.run.ProcessRunner}.
 */
final class BuildTool {
    /** The tools Berth knows, in the order they are looked for. */
    enum Kind {
        MAVEN("Maven", "maven", "mvnw", "mvn", List.of("pom.xml"), "target/"),
        GRADLE("Gradle", "gradle", "gradlew", "gradle", List.of("build.gradle.kts", "build.gradle"), "build/libs/");

        final String title;
        final String strategy;
        final String wrapper;
        final String command;
        final List<String> buildFiles;
        final String outputDir;

        Kind(String title, String strategy, String wrapper, String command, List<String> buildFiles, String outputDir) {
            this.title = title;
            this.strategy = strategy;
            this.wrapper = wrapper;
            this.command = command;
            this.buildFiles = buildFiles;
            this.outputDir = outputDir;
        }
    }

    /** Berth's own arguments; the operator's ({@code berth.builds.jib.maven-args}) come after them, the goal last. */
    static final List<String> MAVEN_ARGS = List.of("-B", "-ntp", "-DskipTests");
    static final List<String> GRADLE_ARGS = List.of("--no-daemon", "--console=plain", "-x", "test");

    final Kind kind;
    /** The build file that identified the project, e.g. {@code pom.xml}. */
    final String buildFile;
    /** The launcher to execute; null when neither a wrapper nor the tool is available. */
    final Path launcher;
    /** How the launcher is named in the log: {@code ./mvnw} or {@code mvn}. */
    final String shown;

    private BuildTool(Kind kind, String buildFile, Path launcher, String shown) {
        this.kind = kind;
        this.buildFile = buildFile;
        this.launcher = launcher;
        this.shown = shown;
    }

    /**
     * The build tool {@code context} asks for: Maven for a {@code pom.xml}, Gradle for a {@code build.gradle(.kts)};
     * null when there is neither. {@code searchPath} is the PATH the tool is looked up in.
     */
    static BuildTool detect(Path context, String searchPath) {
        for (Kind kind : Kind.values()) {
            String file = kind.buildFiles.stream().filter(f -> Files.isRegularFile(context.resolve(f))).findFirst()
                    .orElse(null);
            if (file == null) {
                continue;
            }
            Path wrapper = context.resolve(kind.wrapper);
            if (Files.isRegularFile(wrapper) && Files.isExecutable(wrapper)) {
                return new BuildTool(kind, file, wrapper, "./" + kind.wrapper);
            }
            Path installed = onPath(kind.command, searchPath);
            return new BuildTool(kind, file, installed, installed == null ? null : kind.command);
        }
        return null;
    }

    /** Why the tool cannot run (nothing to launch it with), or null when it can. */
    String missing(Path context) {
        if (launcher != null) {
            return null;
        }
        Path wrapper = context.resolve(kind.wrapper);
        String repo = Files.exists(wrapper)
                ? "the repository's ./" + kind.wrapper + " is not executable (commit it with git update-index --chmod=+x "
                        + kind.wrapper + ")"
                : "the repository has no ./" + kind.wrapper;
        return "this is a " + kind.title + " project (" + buildFile + "), but " + kind.title
                + " is not installed on the Berth host: " + repo + " and there is no " + kind.command
                + " on Berth's PATH. Commit the " + kind.title + " wrapper, have the operator install " + kind.title
                + ", commit the executable JAR, or add a Dockerfile.";
    }

    /** The command line: launcher, Berth's arguments, the operator's extra arguments, then the goal or task. */
    List<String> command(Path home, List<String> extra) {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher == null ? kind.command : launcher.toString());
        cmd.addAll(arguments(home, extra));
        return cmd;
    }

    /** How the build is run, for "Detected": {@code ./mvnw -B -ntp -DskipTests package}. */
    String summary() {
        return shown + " " + String.join(" ", kind == Kind.MAVEN ? MAVEN_ARGS : GRADLE_ARGS) + " "
                + (kind == Kind.MAVEN ? "package" : "assemble");
    }

    /** The arguments without the launcher, as the log shows them after {@link #shown}. */
    List<String> arguments(Path home, List<String> extra) {
        List<String> args = new ArrayList<>();
        if (kind == Kind.MAVEN) {
            args.addAll(MAVEN_ARGS);
            args.add("-Dmaven.repo.local=" + home.resolve(".m2/repository"));
            args.addAll(extra);
            args.add("package");
        } else {
            // assemble builds every archive the project declares: jar, Spring Boot's bootJar, Shadow's shadowJar,
            // Quarkus's quarkus-app; the executable one is chosen afterwards (ExecutableJars).
            args.addAll(GRADLE_ARGS);
            args.addAll(extra);
            args.add("assemble");
        }
        return args;
    }

    /**
     * The whole environment of the tool's process: nothing of Berth's (no secrets, no BERTH_* or database settings),
     * only PATH (with the JDK first), JAVA_HOME, LANG and HOME, which is the app's cache directory so that downloads
     * (Maven repository, Gradle caches, wrapper distributions) are kept between builds of the same app.
     */
    Map<String, String> environment(Map<String, String> berth, Path home, String javaHome) {
        Map<String, String> env = new TreeMap<>();
        String path = berth.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        if (javaHome != null && !javaHome.isBlank()) {
            env.put("JAVA_HOME", javaHome);
            path = Path.of(javaHome, "bin") + File.pathSeparator + path;
        }
        env.put("PATH", path);
        env.put("HOME", home.toString());
        env.put("LANG", berth.getOrDefault("LANG", "C.UTF-8"));
        // Java takes user.home from the password database, not from HOME: without this, the Berth user's own
        // ~/.m2/settings.xml or ~/.gradle would apply to every app's build.
        String userHome = "-Duser.home=" + home;
        if (kind == Kind.MAVEN) {
            env.put("MAVEN_OPTS", userHome);
        } else {
            env.put("GRADLE_USER_HOME", home.resolve(".gradle").toString());
            env.put("GRADLE_OPTS", userHome);
        }
        return env;
    }

    /**
     * The command wrapped in {@code env -i}, so the tool starts with exactly {@code env} and inherits nothing from
     * Berth's process. {@code env} replaces itself with the tool (same process), so killing the process tree on
     * cancel or timeout works as for any other build process.
     */
    static List<String> scrubbed(Map<String, String> env, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/env", "-i"));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(command);
        return cmd;
    }

    private static Path onPath(String command, String searchPath) {
        if (searchPath == null) {
            return null;
        }
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, command);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
