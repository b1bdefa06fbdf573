package dev.berth.builds;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import dev.berth.testsupport.RegistryClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Repositories without a Dockerfile or a committed JAR: Berth runs the repository's Maven build (the machine's real
 * {@code mvn}, or the repository's own {@code ./mvnw}) and packages the JAR it produces with Jib, pushed for real.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
public class MavenBuildTest {
    /** What a Maven build may see of Berth's environment; {@code sh} adds PWD (and some shells SHLVL, _). */
    static final Set<String> TOOL_ENV = Set.of("HOME", "JAVA_HOME", "LANG", "MAVEN_OPTS", "PATH", "PWD", "SHLVL", "_",
            "OLDPWD");

    @Inject
    BuildsConfig config;

    public static String pom(boolean mainClass) {
        // Plugin versions are those Berth's own build uses, so the machine's Maven repository already has them.
        String archive = mainClass ? "<configuration><archive><manifest><mainClass>demo.Main</mainClass></manifest>"
                + "</archive></configuration>" : "";
        return """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>demo</groupId><artifactId>hello</artifactId><version>1.0</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <build>
                    <resources><resource><directory>src/main/resources</directory><filtering>true</filtering></resource></resources>
                    <plugins>
                      <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
                      <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
                      <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.5.2</version></plugin>
                      <plugin><artifactId>maven-jar-plugin</artifactId><version>3.4.2</version>%s</plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(archive);
    }

    public static final String MAIN = """
            package demo;
            public class Main {
                public static void main(String[] args) {
                    System.out.println("hello from a Maven build");
                }
            }
            """;

    /** A variable of the test JVM's (and so Berth's) environment that the build tool must not inherit. */
    static String inheritedVariable() {
        List<String> names = System.getenv().keySet().stream().filter(n -> n.matches("[A-Z_][A-Z0-9_]*"))
                .filter(n -> !TOOL_ENV.contains(n)).sorted().toList();
        return names.stream().filter(n -> n.startsWith("BERTH_")).findFirst().orElse(names.get(0));
    }

    public static JsonPath build(String tenant) {
        int n = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
        return BuildEndToEndTest.waitForBuild(tenant, "web", n);
    }

    public static String log(String tenant, JsonPath build) {
        return given().accept("text/plain").get(Api.app(tenant, "web") + "/builds/" + build.getInt("number") + "/log")
                .asString();
    }

    @Test
    void aMavenProjectIsBuiltWithMavenItsJarRunsFromTheImageAndFailuresSayWhatToFix() throws Exception {
        BuildInfra.baseImage();
        String tenant = Api.createTenant("mvn");
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + ".git";
        String leak = inheritedVariable();
        GitRepos.commit(repo, "Maven app", Map.of("pom.xml", pom(true), "src/main/java/demo/Main.java", MAIN,
                "src/main/resources/env.txt", "home=${env.HOME}\nleak=${env." + leak + "}\n"));
        BuildEndToEndTest.connect(tenant, "web", repo, Map.of());

        JsonPath ok = build(tenant);
        String log = log(tenant, ok);
        assertThat(ok.getString("state")).as(log).isEqualTo("succeeded");
        assertThat(ok.getString("strategy")).isEqualTo("maven");
        assertThat(ok.getString("detected")).contains("Maven project (pom.xml) built with mvn",
                "executable JAR target/hello-1.0.jar", "packaged with Jib on " + BuildInfra.registry() + "/base/busybox:1");
        assertThat(log).contains("$ mvn -B -ntp -DskipTests -Dmaven.repo.local=", "Building jar:", "BUILD SUCCESS",
                "Detected: no Dockerfile; Maven project (pom.xml) built with mvn; executable JAR target/hello-1.0.jar");

        // The registry serves the image by digest; its entrypoint runs the JAR Maven built, which works.
        JsonNode manifest = RegistryClient.manifest(tenant + "/web", ok.getString("imageDigest"));
        JsonNode image = RegistryClient.config(tenant + "/web", manifest);
        assertThat(image.path("config").path("Entrypoint").toString()).isEqualTo("[\"java\",\"-jar\",\"/app/app.jar\"]");
        JibBuildTest.assertRunsAsNonRootAndExposes(image, 8080);
        Path jar = Files.createTempFile("app", ".jar");
        Files.write(jar, RegistryClient.fileBytes(tenant + "/web", manifest).get("app/app.jar"));
        assertThat(run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString())))
                .isEqualTo("hello from a Maven build\n");

        // Maven ran with HOME in the app's cache (where its repository stays for the next build) and without
        // inheriting Berth's environment: the variable stayed unresolved in the filtered resource.
        try (JarFile f = new JarFile(jar.toFile())) {
            assertThat(f.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS)).isEqualTo("demo.Main");
            String env = new String(f.getInputStream(f.getJarEntry("env.txt")).readAllBytes(), StandardCharsets.UTF_8);
            Path home = Path.of(env.lines().filter(l -> l.startsWith("home=")).findFirst().orElseThrow().substring(5));
            assertThat(home.getParent().getParent()).isEqualTo(Path.of(config.cacheDir()));
            assertThat(home.getParent().getFileName().toString()).matches("app-\\d+");
            assertThat(env).contains("leak=${env." + leak + "}");
            assertThat(home.resolve(".m2/repository/org/apache/maven/plugins/maven-jar-plugin/3.4.2")).isDirectory();
        } finally {
            Files.delete(jar);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ok.getString("image")
                .equals(json().get(Api.app(tenant, "web")).then().extract().<String>path("image")));
        try (Stream<Path> left = Files.walk(BuildInfra.workspaceDir())) {
            assertThat(left.map(p -> p.getFileName().toString())).doesNotContain("hello-1.0.jar");
        }

        // A compile error fails the build with Maven's exit code and its error lines; the image keeps serving.
        GitRepos.commit(repo, "Broken", Map.of("src/main/java/demo/Main.java", "package demo;\npublic class Main { oops }\n"));
        JsonPath broken = build(tenant);
        assertThat(broken.getString("state")).isEqualTo("failed");
        assertThat(broken.getString("failureReason")).contains("the Maven build failed (mvn exited with 1)",
                "COMPILATION ERROR", "[ERROR] src/main/java/demo/Main.java:[2,");
        assertThat(log(tenant, broken)).contains("BUILD FAILURE", "[ERROR]", "Main.java");
        assertThat(json().get(Api.app(tenant, "web")).then().extract().<String>path("image")).isEqualTo(ok.getString("image"));

        // A JAR without Main-Class: the failure names what was built and what to add.
        GitRepos.commit(repo, "No main class", Map.of("src/main/java/demo/Main.java", MAIN, "pom.xml", pom(false)));
        JsonPath thin = build(tenant);
        assertThat(thin.getString("state")).isEqualTo("failed");
        assertThat(thin.getString("failureReason")).contains("the Maven build succeeded but produced no executable JAR",
                "target/hello-1.0.jar (no Main-Class in its manifest)", "<mainClass>com.example.Main</mainClass>",
                "Spring Boot", "Quarkus");
    }

    @Test
    void theRepositorysWrapperRunsInTheContextWithAScrubbedEnvironmentAndItsExitCodeFailsTheBuild() throws Exception {
        String tenant = Api.createTenant("mvnw");
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + ".git";
        wrapper(repo, """
                #!/bin/sh
                echo "wrapper pwd=$(pwd)"
                env | sort | sed 's/^/wrapper env /'
                echo "wrapper args: $*"
                exit 3
                """);
        GitRepos.commit(repo, "Wrapper", Map.of("pom.xml", pom(true)));
        BuildEndToEndTest.connect(tenant, "web", repo, Map.of());

        JsonPath b = build(tenant);
        String log = log(tenant, b);
        assertThat(b.getString("state")).as(log).isEqualTo("failed");
        assertThat(b.getString("detected")).contains("Maven project (pom.xml), built with ./mvnw -B -ntp -DskipTests package");
        assertThat(b.getString("failureReason")).contains("the Maven build failed (./mvnw exited with 3)");
        List<String> env = log.lines().filter(l -> l.startsWith("wrapper env ")).map(l -> l.substring(12)).toList();
        assertThat(env.stream().map(l -> l.substring(0, l.indexOf('=')))).isSubsetOf(TOOL_ENV)
                .contains("HOME", "JAVA_HOME", "LANG", "MAVEN_OPTS", "PATH");
        String home = env.stream().filter(l -> l.startsWith("HOME=")).findFirst().orElseThrow().substring(5);
        assertThat(Path.of(home).getParent().getParent()).isEqualTo(Path.of(config.cacheDir()));
        assertThat(env).contains("MAVEN_OPTS=-Duser.home=" + home);
        assertThat(log).containsPattern("wrapper pwd=" + Pattern.quote(BuildInfra.workspaceDir().toString()) + "/build-\\d+-\\d+/src\n")
                .contains("wrapper args: -B -ntp -DskipTests -Dmaven.repo.local=" + home + "/.m2/repository -s ");
        assertThat(log.lines().filter(l -> l.startsWith("wrapper args:")).findFirst().orElseThrow()).endsWith(" package");
    }

    @Test
    void cancellingKillsTheBuildToolAndEverythingItStarted() throws Exception {
        String tenant = Api.createTenant("mvnc");
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + ".git";
        String marker = String.valueOf(ThreadLocalRandom.current().nextInt(100_000, 999_999));
        wrapper(repo, "#!/bin/sh\necho wrapper-started\nsleep " + marker + "\necho wrapper-finished\n");
        GitRepos.commit(repo, "Slow wrapper", Map.of("pom.xml", pom(true)));
        BuildEndToEndTest.connect(tenant, "web", repo, Map.of());
        int n = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
        await().atMost(BuildEndToEndTest.BUILD_WAIT).until(() -> given().accept("text/plain")
                .get(Api.app(tenant, "web") + "/builds/" + n + "/log").asString().contains("wrapper-started"));
        assertThat(sleepers(marker)).isNotEmpty();

        json().post(Api.app(tenant, "web") + "/builds/" + n + "/cancel").then().statusCode(200);
        JsonPath done = BuildEndToEndTest.waitForBuild(tenant, "web", n);
        assertThat(done.getString("state")).isEqualTo("cancelled");
        await().atMost(Duration.ofSeconds(10)).until(() -> sleepers(marker).isEmpty());
        assertThat(given().accept("text/plain").get(Api.app(tenant, "web") + "/builds/" + n + "/log").asString())
                .doesNotContain("wrapper-finished");
    }

    /** Puts an executable {@code mvnw} into the repository's working tree; the next commit records its mode. */
    private static void wrapper(String repo, String script) throws IOException {
        Path f = BuildInfra.reposDir().resolve(repo).resolve("mvnw");
        Files.createDirectories(f.getParent());
        Files.writeString(f, script);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static List<ProcessHandle> sleepers(String marker) {
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(a -> Arrays.asList(a).contains(marker)).orElse(false)).toList();
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
