package dev.berth.builds.packaging;

import dev.berth.builds.executors.BuildSpec;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Runs the repository's Maven or Gradle build on the Berth host (see docs/adr/0006) and finds the executable JAR
 * it produced. The tool runs as the Berth user in the build context with a scrubbed environment whose HOME is the
 * app's cache directory; its output streams into the build log (secrets masked there); cancel and timeout kill its
 * process tree ({@link ProcessRunner}). A failing tool fails the build with its exit code and its error lines; a
 * tool that produced no executable JAR fails it saying what was found and what to add.
 */
@ApplicationScoped
class ToolBuild {
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]");
    private static final int TAIL = 60;

    @Inject
    BuildsConfig config;

    /** Builds, then returns the executable JAR; throws {@link BuildFailure} with an actionable reason. */
    ExecutableJars.Found build(BuildSpec spec, BuildTool tool, BuildLog.Writer log, BuildControl control,
            Consumer<String> recordDetected)
            throws IOException, InterruptedException {
        Path context = spec.contextDir();
        String missing = tool.missing(context);
        if (missing != null) {
            throw new BuildFailure(missing);
        }
        Path home = Files.createDirectories(Path.of(config.cacheDir(), "app-" + spec.appId(), "home"));
        String javaHome = config.jib().buildJavaHome()
                .orElseGet(() -> System.getenv().getOrDefault("JAVA_HOME", System.getProperty("java.home")));
        List<String> extra = (tool.kind == BuildTool.Kind.MAVEN ? config.jib().mavenArgs() : config.jib().gradleArgs())
                .orElse(List.of());
        Map<String, String> env = tool.environment(System.getenv(), home, javaHome);
        log.line("$ " + tool.shown + " " + String.join(" ", tool.arguments(home, extra)));
        log.line("  (" + tool.kind.title + " runs in " + where(spec) + " with JAVA_HOME=" + javaHome + " and HOME=" + home
                + ")");
        List<String> hidden = hidden(spec);
        Deque<String> tail = new ArrayDeque<>();
        int code = ProcessRunner.run(BuildTool.scrubbed(env, tool.command(home, extra)), context, Map.of(), line -> {
            String clean = ANSI.matcher(line).replaceAll("");
            log.line(clean);
            synchronized (tail) {
                tail.addLast(BuildLog.redact(clean, hidden));
                if (tail.size() > TAIL) {
                    tail.removeFirst();
                }
            }
        }, control);
        if (code != 0) {
            List<String> last;
            synchronized (tail) {
                last = new ArrayList<>(tail);
            }
            // Paths relative to the build context: the workspace's location means nothing to the app's developers.
            String errors = String.join("\n", errorLines(last)).replace(context + "/", "");
            throw new BuildFailure("the " + tool.kind.title + " build failed (" + tool.shown + " exited with " + code
                    + "); its errors (the whole output is in the log):\n" + errors);
        }
        ExecutableJars.Found jar = ExecutableJars.find(context);
        if (jar == null) {
            throw new BuildFailure(nothingExecutable(tool, context));
        }
        String detected = "no Dockerfile; " + tool.kind.title + " project (" + tool.buildFile + ") built with "
                + tool.shown + "; " + jar.description() + ", packaged with Jib on " + config.jib().jreBaseImage();
        log.line("Detected: " + detected);
        recordDetected.accept(detected);
        return jar;
    }

    /** The message when the tool succeeded but left no executable JAR: what it made, and what to add. */
    static String nothingExecutable(BuildTool tool, Path context) throws IOException {
        String add = tool.kind == BuildTool.Kind.MAVEN
                ? "Add the main class to the JAR's manifest (maven-jar-plugin: <configuration><archive><manifest>"
                        + "<mainClass>com.example.Main</mainClass></manifest></archive></configuration>), or package it "
                        + "with Spring Boot (spring-boot-maven-plugin, goal repackage) or Quarkus (target/quarkus-app)"
                : "Add the main class to the JAR's manifest (jar { manifest { attributes 'Main-Class': "
                        + "'com.example.Main' } }), or use the Spring Boot plugin (bootJar), Quarkus or Shadow";
        return "the " + tool.kind.title + " build succeeded but produced no executable JAR in " + tool.kind.outputDir
                + ": found " + ExecutableJars.rejected(context) + ". " + add + "; a JAR that needs libraries must "
                + "carry them (a fat JAR) or name them in its Class-Path next to it. Or add a Dockerfile.";
    }

    /**
     * The lines that say what went wrong: Maven's {@code [ERROR]} lines without its help boilerplate, Gradle's
     * "What went wrong" block and compiler errors; else the last lines.
     */
    static List<String> errorLines(List<String> tail) {
        List<String> errors = new ArrayList<>();
        boolean gradleBlock = false;
        for (String l : tail) {
            String t = l.strip();
            if (t.startsWith("* What went wrong")) {
                gradleBlock = true;
            } else if (t.startsWith("* Try") || t.startsWith("* Get more help")) {
                gradleBlock = false;
            }
            boolean mavenError = t.startsWith("[ERROR]") && !boilerplate(t.substring(7).strip());
            if ((mavenError || gradleBlock || t.contains(": error:")) && !t.isEmpty() && !errors.contains(t)) {
                errors.add(t);
            }
        }
        if (errors.isEmpty()) {
            List<String> nonBlank = tail.stream().filter(l -> !l.isBlank()).toList();
            errors.addAll(nonBlank.subList(Math.max(0, nonBlank.size() - 5), nonBlank.size()));
        }
        return errors.size() > 12 ? errors.subList(0, 12) : errors;
    }

    private static boolean boilerplate(String s) {
        return s.isEmpty() || s.startsWith("To see the full stack trace") || s.startsWith("Re-run Maven")
                || s.startsWith("For more information about the errors") || s.startsWith("[Help ")
                || s.startsWith("-> [Help") || s.startsWith("After correcting the problems");
    }

    private static String where(BuildSpec spec) {
        return spec.subDir() == null ? "the repository root" : spec.subDir() + "/";
    }

    private List<String> hidden(BuildSpec spec) {
        List<String> hidden = new ArrayList<>();
        if (spec.credentials() != null && spec.credentials().secret() != null) {
            hidden.add(spec.credentials().secret());
        }
        config.registry().password().ifPresent(hidden::add);
        return hidden.stream().filter(s -> s != null && s.length() >= 4).toList();
    }
}
