package dev.berth.builds.registry;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.builds.BuildEndToEndTest;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import dev.berth.testsupport.RegistryClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The test registry wants a login. Berth reads its credential from a Docker config file (as mounted from a
 * kubernetes.io/dockerconfigjson Secret) for every build: a build pushes with it, its password never reaches the
 * log, and a changed file applies to the next build without a restart.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class RegistryCredentialTest {

    private static String log(String tenant, int number) {
        return given().accept("text/plain").get(Api.app(tenant, "web") + "/builds/" + number + "/log").asString();
    }

    private static int build(String tenant) {
        return json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
    }

    @Test
    void buildsPushWithTheMountedCredentialAndAChangedFileAppliesToTheNextBuild() throws Exception {
        HttpResponse<Void> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + BuildInfra.registry() + "/v2/")).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(anonymous.statusCode()).as("the registry refuses anonymous requests").isEqualTo(401);

        String base = BuildInfra.baseImage();
        String tenant = Api.createTenant("reg");
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + "-web.git";
        GitRepos.commit(repo, "First", Map.of("Dockerfile", BuildEndToEndTest.dockerfile(), "index.html", "hi\n"));
        BuildEndToEndTest.connect(tenant, "web", repo, Map.of("BASE", base));

        int ok = build(tenant);
        JsonPath built = BuildEndToEndTest.waitForBuild(tenant, "web", ok);
        assertThat(built.getString("state")).as(log(tenant, ok)).isEqualTo("succeeded");
        assertThat(RegistryClient.manifest(tenant + "/web", built.getString("imageDigest")).path("layers").size())
                .isPositive();
        assertThat(log(tenant, ok)).doesNotContain(BuildInfra.REGISTRY_PASSWORD);

        String mounted = Files.readString(BuildInfra.registryAuthFile());
        try {
            // Rotated to a password the registry does not know: the next build is refused by the registry.
            String wrong = java.util.Base64.getEncoder().encodeToString((BuildInfra.REGISTRY_USER + ":not-it").getBytes());
            Files.writeString(BuildInfra.registryAuthFile(),
                    "{\"auths\":{\"" + BuildInfra.registry() + "\":{\"auth\":\"" + wrong + "\"}}}");
            GitRepos.commit(repo, "Second", Map.of("index.html", "second\n"));
            int refused = build(tenant);
            JsonPath failed = BuildEndToEndTest.waitForBuild(tenant, "web", refused);
            assertThat(failed.getString("state")).isEqualTo("failed");
            assertThat(failed.getString("failureReason")).containsAnyOf("buildah bud exited", "buildah push exited");
            assertThat(log(tenant, refused)).doesNotContain("not-it");

            // A file without an entry for the registry: the reason names the file and the host.
            Files.writeString(BuildInfra.registryAuthFile(), "{\"auths\":{\"ghcr.io\":{\"auth\":\"" + wrong + "\"}}}");
            GitRepos.commit(repo, "Third", Map.of("index.html", "third\n"));
            int noEntry = build(tenant);
            JsonPath missing = BuildEndToEndTest.waitForBuild(tenant, "web", noEntry);
            assertThat(missing.getString("state")).isEqualTo("failed");
            assertThat(missing.getString("failureReason")).contains(BuildInfra.registryAuthFile().toString())
                    .contains("no entry for the registry " + BuildInfra.registry());
        } finally {
            Files.writeString(BuildInfra.registryAuthFile(), mounted);
        }

        // Restored: the next build pushes again.
        GitRepos.commit(repo, "Fourth", Map.of("index.html", "fourth\n"));
        int again = build(tenant);
        assertThat(BuildEndToEndTest.waitForBuild(tenant, "web", again).getString("state")).as(log(tenant, again))
                .isEqualTo("succeeded");
    }
}
