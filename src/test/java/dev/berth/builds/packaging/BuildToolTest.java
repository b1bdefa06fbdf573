package dev.berth.builds.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.builds.run.BuildControl;
import dev.berth.builds.run.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which build tool a context asks for, how it is launched, its command line and its environment. Gradle is covered
 * here only (no Gradle on the test machines); Maven also runs for real in {@link MavenBuildTest}.
 */
class BuildToolTest {
    @TempDir
    Path dir;

    private Path context() throws IOException {
        return Files.createDirectories(dir.resolve("ctx"));
    }

    private Path bin(String... commands) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String c : commands) {
            executable(bin.resolve(c));
        }
        return bin;
    }

    private static void executable(Path f) throws IOException {
        Files.writeString(f, "#!/bin/sh\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void mavenPrefersTheRepositorysExecutableWrapperAndBuildsThePackageWithTheAppsRepository() throws IOException {
        Path ctx = context();
        Files.writeString(ctx.resolve("pom.xml"), "<project/>");
        executable(ctx.resolve("mvnw"));
        BuildTool tool = BuildTool.detect(ctx, bin("mvn").toString());
        assertThat(tool.kind).isEqualTo(BuildTool.Kind.MAVEN);
        assertThat(tool.buildFile).isEqualTo("pom.xml");
        assertThat(tool.shown).isEqualTo("./mvnw");
        assertThat(tool.missing(ctx)).isNull();
        Path home = dir.resolve("cache/app-7/home");
        assertThat(tool.command(home, List.of("-s", "/etc/m.xml"))).containsExactly(ctx.resolve("mvnw").toString(),
                "-B", "-ntp", "-DskipTests", "-Dmaven.repo.local=" + home.resolve(".m2/repository"), "-s", "/etc/m.xml",
                "package");
        assertThat(tool.summary()).isEqualTo("./mvnw -B -ntp -DskipTests package");
    }

    @Test
    void aWrapperThatIsNotExecutableFallsBackToTheInstalledToolAndWithoutOneTheBuildSaysWhatIsMissing()
            throws IOException {
        Path ctx = context();
        Files.writeString(ctx.resolve("pom.xml"), "<project/>");
        Files.writeString(ctx.resolve("mvnw"), "#!/bin/sh\n"); // committed without its executable bit
        Path bin = bin("mvn");
        BuildTool installed = BuildTool.detect(ctx, "/nonexistent:" + bin);
        assertThat(installed.launcher).isEqualTo(bin.resolve("mvn"));
        assertThat(installed.shown).isEqualTo("mvn");

        BuildTool none = BuildTool.detect(ctx, dir.resolve("empty").toString());
        assertThat(none.kind).isEqualTo(BuildTool.Kind.MAVEN);
        assertThat(none.launcher).isNull();
        assertThat(none.missing(ctx)).contains("Maven project (pom.xml)", "Maven is not installed on the Berth host",
                "./mvnw is not executable", "git update-index --chmod=+x mvnw", "no mvn on Berth's PATH");
        Files.delete(ctx.resolve("mvnw"));
        assertThat(BuildTool.detect(ctx, null).missing(ctx)).contains("the repository has no ./mvnw");
    }

    @Test
    void gradleProjectsAssembleWithTheWrapperOrTheInstalledGradleAndTheirOwnUserHome() throws IOException {
        Path ctx = context();
        Files.writeString(ctx.resolve("build.gradle.kts"), "plugins { java }");
        Path home = dir.resolve("home");
        BuildTool installed = BuildTool.detect(ctx, bin("gradle").toString());
        assertThat(installed.kind).isEqualTo(BuildTool.Kind.GRADLE);
        assertThat(installed.buildFile).isEqualTo("build.gradle.kts");
        assertThat(installed.command(home, List.of())).containsExactly(dir.resolve("bin/gradle").toString(),
                "--no-daemon", "--console=plain", "-x", "test", "assemble");

        executable(ctx.resolve("gradlew"));
        BuildTool wrapper = BuildTool.detect(ctx, null);
        assertThat(wrapper.shown).isEqualTo("./gradlew");
        assertThat(wrapper.command(home, List.of("--offline"))).containsExactly(ctx.resolve("gradlew").toString(),
                "--no-daemon", "--console=plain", "-x", "test", "--offline", "assemble");
        assertThat(wrapper.summary()).isEqualTo("./gradlew --no-daemon --console=plain -x test assemble");
        assertThat(wrapper.environment(Map.of("PATH", "/usr/bin"), home, "/opt/jdk")).containsEntry("GRADLE_USER_HOME",
                home.resolve(".gradle").toString()).containsEntry("GRADLE_OPTS", "-Duser.home=" + home)
                .doesNotContainKey("MAVEN_OPTS");

        Files.delete(ctx.resolve("gradlew"));
        Files.move(ctx.resolve("build.gradle.kts"), ctx.resolve("build.gradle"));
        BuildTool none = BuildTool.detect(ctx, dir.resolve("empty").toString());
        assertThat(none.buildFile).isEqualTo("build.gradle");
        assertThat(none.missing(ctx)).contains("Gradle project (build.gradle)", "no ./gradlew", "no gradle on Berth's PATH");
    }

    @Test
    void mavenWinsOverGradleAndAContextWithoutABuildFileHasNoTool() throws IOException {
        Path ctx = context();
        assertThat(BuildTool.detect(ctx, bin("mvn", "gradle").toString())).isNull();
        Files.writeString(ctx.resolve("build.gradle"), "");
        Files.writeString(ctx.resolve("pom.xml"), "<project/>");
        assertThat(BuildTool.detect(ctx, dir.resolve("bin").toString()).kind).isEqualTo(BuildTool.Kind.MAVEN);
    }

    @Test
    void theEnvironmentHoldsOnlyPathJavaHomeLangAndTheAppsHome() throws IOException {
        Path ctx = context();
        Files.writeString(ctx.resolve("pom.xml"), "<project/>");
        BuildTool tool = BuildTool.detect(ctx, bin("mvn").toString());
        Path home = dir.resolve("cache/app-3/home");
        Map<String, String> berth = Map.of("PATH", "/usr/local/bin:/usr/bin", "LANG", "de_DE.UTF-8",
                "BERTH_SECRETS_KEY", "k", "QUARKUS_DATASOURCE_PASSWORD", "p", "AWS_SECRET_ACCESS_KEY", "a",
                "HOME", "/root", "MAVEN_OPTS", "-Dberth=1");
        assertThat(tool.environment(berth, home, "/opt/jdk-21")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "PATH", "/opt/jdk-21/bin:/usr/local/bin:/usr/bin", "JAVA_HOME", "/opt/jdk-21", "LANG", "de_DE.UTF-8",
                "HOME", home.toString(), "MAVEN_OPTS", "-Duser.home=" + home));
        assertThat(tool.environment(Map.of(), home, null)).containsEntry("PATH", "/usr/local/bin:/usr/bin:/bin")
                .containsEntry("LANG", "C.UTF-8").doesNotContainKey("JAVA_HOME");
    }

    @Test
    void theScrubbedCommandStartsWithNothingOfTheParentsEnvironment() throws Exception {
        List<String> cmd = BuildTool.scrubbed(Map.of("HOME", "/h", "PATH", "/usr/bin:/bin"), List.of("sh", "-c", "env"));
        assertThat(cmd).startsWith("/usr/bin/env", "-i").endsWith("sh", "-c", "env");
        List<String> lines = new ArrayList<>();
        // ProcessRunner adds its env to Berth's own; env -i drops both.
        int code = ProcessRunner.run(cmd, dir, Map.of("BERTH_SECRETS_KEY", "very-secret"), lines::add,
                new BuildControl(Duration.ofMinutes(1)));
        assertThat(code).isZero();
        assertThat(lines).contains("HOME=/h", "PATH=/usr/bin:/bin").noneMatch(l -> l.startsWith("BERTH_"))
                .noneMatch(l -> l.startsWith("USER=") || l.startsWith("JAVA_HOME="));
    }

    @Test
    void theFailureReasonKeepsTheToolsErrorLinesWithoutItsBoilerplate() {
        List<String> maven = List.of("[INFO] BUILD FAILURE", "[ERROR] COMPILATION ERROR :",
                "[ERROR] /w/src/main/java/demo/Main.java:[2,21] <identifier> expected", "[ERROR] ",
                "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.13.0:compile -> [Help 1]",
                "[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.",
                "[ERROR] Re-run Maven using the -X switch to enable full debug logging.",
                "[ERROR] For more information about the errors and possible solutions, please read the following articles:",
                "[ERROR] [Help 1] http://cwiki.apache.org/confluence/display/MAVEN/MojoFailureException");
        assertThat(ToolBuild.errorLines(maven)).containsExactly("[ERROR] COMPILATION ERROR :",
                "[ERROR] /w/src/main/java/demo/Main.java:[2,21] <identifier> expected",
                "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.13.0:compile -> [Help 1]");
        List<String> gradle = List.of("> Task :compileJava FAILED", "/w/src/main/java/demo/Main.java:2: error: ';' expected",
                "FAILURE: Build failed with an exception.", "", "* What went wrong:",
                "Execution failed for task ':compileJava'.", "> Compilation failed; see the compiler error output.", "",
                "* Try:", "> Run with --stacktrace option to get the stack trace.");
        assertThat(ToolBuild.errorLines(gradle)).containsExactly("/w/src/main/java/demo/Main.java:2: error: ';' expected",
                "* What went wrong:", "Execution failed for task ':compileJava'.",
                "> Compilation failed; see the compiler error output.");
        assertThat(ToolBuild.errorLines(List.of("a", "b", "", "c", "d", "e", "f"))).containsExactly("b", "c", "d", "e", "f");
    }
}
