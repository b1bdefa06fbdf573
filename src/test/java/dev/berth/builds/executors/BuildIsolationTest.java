package dev.berth.builds.executors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.berth.builds.BuildEndToEndTest;
import dev.berth.builds.MavenBuildTest;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where builds run. In production they run as Jobs in the cluster unless the operator opts into host builds; a
 * production start that would run tenants' build steps on the Berth host without that opt-in is refused with what
 * to set; the admin overview says where builds run; and with builds in the cluster, a repository that needs a build
 * tool is not built on the host.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class BuildIsolationTest {
    @Inject
    BuildsConfig config;
    @Inject
    LocalBuildahExecutor local;
    @Inject
    KubernetesJobExecutor kubernetes;

    /** Berth's own application.properties, resolved for one profile with no environment variables set. */
    private static SmallRyeConfig shipped(String profile) throws IOException {
        return new SmallRyeConfigBuilder().withProfile(profile)
                .withSources(new PropertiesConfigSource(BuildIsolationTest.class.getResource("/application.properties"), 250))
                .build();
    }

    @Test
    void aProductionStartRunsBuildsInTheClusterAndDevelopmentAndTestsOnThisHost() throws IOException {
        SmallRyeConfig prod = shipped("prod");
        assertThat(prod.getValue("berth.builds.executor", String.class)).isEqualTo("kubernetes");
        assertThat(prod.getValue("berth.builds.allow-host-builds", Boolean.class)).isFalse();
        assertThat(BuildExecutors.startProblem("kubernetes", false)).isNull();
        for (String profile : new String[] {"dev", "test"}) {
            SmallRyeConfig c = shipped(profile);
            assertThat(c.getValue("berth.builds.executor", String.class)).isEqualTo("local");
            assertThat(BuildExecutors.startProblem("local", c.getValue("berth.builds.allow-host-builds", Boolean.class)))
                    .isNull();
        }
    }

    @Test
    void hostBuildsWithoutTheOptInOrAnUnknownExecutorStopTheStartWithWhatToSet() {
        assertThat(BuildExecutors.startProblem("local", false)).contains("berth.builds.executor=kubernetes",
                "berth.builds.allow-host-builds=true", "on this host");
        assertThat(BuildExecutors.startProblem("local", true)).isNull();
        assertThat(BuildExecutors.startProblem("docker", true)).contains("'docker'", "kubernetes", "local");
        BuildIsolation isolation = new BuildIsolation();
        isolation.config = (BuildsConfig) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BuildsConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "executor" -> "local";
                    case "allowHostBuilds" -> false;
                    default -> method.invoke(config, args);
                });
        isolation.executors = new BuildExecutors();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> isolation.check(null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("berth.builds.allow-host-builds=true");
    }

    @Test
    void theAdminOverviewSaysWhereBuildsRun() {
        given().get("/tenants").then().statusCode(200).body(containsString("Builds run on the Berth host"))
                .body(containsString("for trusted code only"));
    }

    @Test
    void withBuildsInTheClusterAMavenProjectIsNotBuiltOnTheHostAndTheFailureSaysWhatToAdd() {
        BuildExecutors jobs = new BuildExecutors() {
            @Override
            public boolean onHost() {
                return false;
            }
        };
        jobs.config = config;
        jobs.local = local;
        jobs.kubernetes = kubernetes;
        QuarkusMock.installMockForType(jobs, BuildExecutors.class);
        BuildInfra.baseImage();
        String tenant = Api.createTenant("iso");
        Api.createApp(tenant, Api.app("web"));
        GitRepos.commit(tenant + ".git", "Maven app", Map.of("pom.xml", MavenBuildTest.pom(true),
                "src/main/java/demo/Main.java", MavenBuildTest.MAIN));
        BuildEndToEndTest.connect(tenant, "web", tenant + ".git", Map.of());
        JsonPath b = MavenBuildTest.build(tenant);
        assertThat(b.getString("state")).isEqualTo("failed");
        assertThat(b.getString("failureReason")).contains("Maven project (pom.xml)", "isolated in the cluster",
                "Add a Dockerfile", "commit the executable JAR");
        assertThat(MavenBuildTest.log(tenant, b)).doesNotContain("$ mvn").doesNotContain("BUILD SUCCESS");
        assertThat(b.getString("imageDigest")).isNull();
    }
}
