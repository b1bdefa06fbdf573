package dev.berth.it;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.builds.BuildState;
import dev.berth.kube.Names;
import dev.berth.regions.RegistryImageInspector;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Images Berth builds, run on the real apiserver under Berth's own pod security ({@code runAsNonRoot}): the test
 * kubelet reads each image's config from the tests' registry and refuses a root image as a real kubelet does. A
 * Jib-built image runs as its numeric non-root user and serves; a Dockerfile image without a {@code USER} is
 * refused with CreateContainerConfigError, and the app's status says so with the kubelet's message.
 */
@QuarkusTest
@TestProfile(RealCluster.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class BuiltImagesIT {
    static final Duration WAIT = Duration.ofSeconds(120);
    private final KubernetesClient kube = ControlPlane.get().admin();

    @BeforeEach
    void kubeletReadsTheTestsRegistry() {
        ControlPlane.get().kubelet().inspectImagesWith(new RegistryImageInspector(BuildInfra.registry(), true,
                () -> Optional.of(new RegistryImageInspector.Credentials(BuildInfra.REGISTRY_USER,
                        BuildInfra.REGISTRY_PASSWORD))));
    }

    static JsonPath build(String tenant, String repo) {
        json().body(Map.of("repoUrl", BuildInfra.gitUrl(repo), "ref", "main")).put(Api.app(tenant, "web") + "/source")
                .then().log().ifValidationFails().statusCode(200);
        int n = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(
                () -> json().get(Api.app(tenant, "web") + "/builds/" + n).then().statusCode(200).extract().jsonPath(),
                b -> BuildState.of(b.getString("state")).finished());
    }

    List<ContainerStatus> containers(String tenant) {
        return kube.pods().inNamespace(Names.namespace(tenant)).withLabel("berth.dev/app", "web").list().getItems()
                .stream().map(Pod::getStatus).filter(s -> s != null && s.getContainerStatuses() != null)
                .flatMap(s -> s.getContainerStatuses().stream()).toList();
    }

    @Test
    void aJibBuiltImageRunsAsItsNonRootUserAndServes() {
        BuildInfra.baseImage();
        String tenant = Api.createTenant("jibrun");
        Api.createApp(tenant, Api.app("web"));
        GitRepos.commit(tenant + ".git", "Site", Map.of("public/index.html", "<h1>static</h1>\n"));
        JsonPath b = build(tenant, tenant + ".git");
        assertThat(b.getString("state")).as(b.getString("failureReason")).isEqualTo("succeeded");
        String image = BuildInfra.registry() + "/" + tenant + "/web@" + b.getString("imageDigest");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(containers(tenant)).isNotEmpty().allSatisfy(c -> {
                assertThat(c.getImage()).isEqualTo(image);
                assertThat(c.getReady()).as("ready: " + c.getState()).isTrue();
            });
            assertThat(EndpointsWatch.ready(kube, Names.namespace(tenant), "web")).hasSize(1);
            assertThat(json().get(Api.app(tenant, "web")).then().statusCode(200).extract().jsonPath()
                    .getString("status[0].state")).isEqualTo("Running");
        });
    }

    @Test
    void aRootImageIsRefusedByTheKubeletAndTheAppSaysWhy() {
        String base = BuildInfra.baseImage();
        String tenant = Api.createTenant("rootimg");
        Api.createApp(tenant, Api.app("web"));
        GitRepos.commit(tenant + ".git", "Root", Map.of("Dockerfile", "FROM " + base + "\nCMD [\"sleep\", \"3600\"]\n"));
        JsonPath b = build(tenant, tenant + ".git");
        assertThat(b.getString("state")).as(b.getString("failureReason")).isEqualTo("succeeded");
        String image = BuildInfra.registry() + "/" + tenant + "/web@" + b.getString("imageDigest");
        await().atMost(WAIT).untilAsserted(() -> {
            // The rolling update keeps the previous release's ready pod serving while the new one cannot start.
            assertThat(containers(tenant)).filteredOn(c -> image.equals(c.getImage())).isNotEmpty().allSatisfy(c -> {
                assertThat(c.getReady()).isFalse();
                assertThat(c.getState().getWaiting().getReason()).isEqualTo("CreateContainerConfigError");
            });
            assertThat(containers(tenant)).filteredOn(c -> !image.equals(c.getImage())).allMatch(ContainerStatus::getReady);
            JsonPath app = json().get(Api.app(tenant, "web")).then().statusCode(200).extract().jsonPath();
            assertThat(app.getString("status[0].state")).isEqualTo("Degraded");
            assertThat(app.getList("status[0].conditions", String.class))
                    .anySatisfy(c -> assertThat(c).contains("CreateContainerConfigError").contains("runAsNonRoot"));
        });
    }
}
