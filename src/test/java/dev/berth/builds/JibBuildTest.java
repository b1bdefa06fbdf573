package dev.berth.builds;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import dev.berth.testsupport.RegistryClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/**
 * Repositories without a Dockerfile, packaged with Jib onto the configured base images and pushed for real; the
 * images run as a numeric non-root user and expose the app's port, as app pods under runAsNonRoot need.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class JibBuildTest {
    private static JsonPath buildOf(String tenant, String repo) {
        json().body(Map.of("repoUrl", BuildInfra.gitUrl(repo), "ref", "main")).put(Api.app(tenant, "web") + "/source")
                .then().statusCode(200);
        int n = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
        return BuildEndToEndTest.waitForBuild(tenant, "web", n);
    }

    @Test
    void aStaticSiteIsServedByTheStaticBaseImage() {
        BuildInfra.baseImage();
        String tenant = Api.createTenant("jibs");
        Api.createApp(tenant, Api.app("web"));
        GitRepos.commit(tenant + ".git", "Site", Map.of("public/index.html", "<h1>static</h1>\n",
                "public/css/site.css", "h1{color:red}\n", "README.md", "not shipped\n"));
        JsonPath b = buildOf(tenant, tenant + ".git");
        assertThat(b.getString("state")).as(b.getString("failureReason")).isEqualTo("succeeded");
        assertThat(b.getString("strategy")).isEqualTo("static");
        assertThat(b.getString("detected")).contains("static site in public/", BuildInfra.registry() + "/base/busybox:1");
        JsonNode manifest = RegistryClient.manifest(tenant + "/web", b.getString("imageDigest"));
        Map<String, String> files = RegistryClient.files(tenant + "/web", manifest);
        assertThat(files).containsEntry("www/index.html", "<h1>static</h1>\n").containsKey("www/css/site.css")
                .doesNotContainKey("www/README.md").containsKey("bin/busybox");
        JsonNode config = RegistryClient.config(tenant + "/web", manifest);
        assertThat(config.path("config").path("Entrypoint").toString()).isEqualTo("[\"httpd\",\"-f\",\"-p\",\"8080\",\"-h\",\"/www\"]");
        assertRunsAsNonRootAndExposes(config, 8080);
        // The server runs as that user and reads the site: every shipped file is readable by others.
        assertThat(RegistryClient.fileModes(tenant + "/web", manifest)).containsEntry("www/index.html", 0644)
                .containsEntry("www/css/site.css", 0644);
    }

    /** What a kubelet checks under runAsNonRoot: a numeric uid other than 0; and the app's port is declared. */
    static void assertRunsAsNonRootAndExposes(JsonNode image, int port) {
        String user = image.path("config").path("User").asText("");
        assertThat(user).as("config.User").matches("[0-9]+(:[0-9]+)?");
        assertThat(Long.parseLong(user.split(":")[0])).as("uid of " + user).isPositive();
        assertThat(image.path("config").path("ExposedPorts").has(port + "/tcp"))
                .as("ExposedPorts " + image.path("config").path("ExposedPorts")).isTrue();
    }

    @Test
    void anExecutableJarRunsOnTheJreBaseImage() throws IOException {
        BuildInfra.baseImage();
        String tenant = Api.createTenant("jibj");
        Map<String, Object> app = Api.app("web");
        app.put("port", 9090);
        Api.createApp(tenant, app);
        GitRepos.commitBinary(tenant + ".git", "Prebuilt jar", "target/web-1.0.jar", jar("com.example.Main"));
        JsonPath b = buildOf(tenant, tenant + ".git");
        assertThat(b.getString("state")).as(b.getString("failureReason")).isEqualTo("succeeded");
        assertThat(b.getString("strategy")).isEqualTo("jar");
        assertThat(b.getString("detected")).contains("executable JAR target/web-1.0.jar");
        JsonNode manifest = RegistryClient.manifest(tenant + "/web", b.getString("imageDigest"));
        assertThat(RegistryClient.files(tenant + "/web", manifest)).containsKey("app/app.jar");
        JsonNode config = RegistryClient.config(tenant + "/web", manifest);
        assertThat(config.path("config").path("Entrypoint").toString()).isEqualTo("[\"java\",\"-jar\",\"/app/app.jar\"]");
        assertRunsAsNonRootAndExposes(config, 9090);
        assertThat(config.path("config").path("User").asText()).isEqualTo("65532:65532");
    }

    private static byte[] jar(String mainClass) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.putNextEntry(new JarEntry("com/example/Main.class"));
            jar.write(new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe});
            jar.closeEntry();
        }
        return out.toByteArray();
    }
}
