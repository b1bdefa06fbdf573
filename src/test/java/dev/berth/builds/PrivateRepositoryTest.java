package dev.berth.builds;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitHttpServer;
import dev.berth.testsupport.GitRepos;
import dev.berth.testsupport.GitSshServer;
import dev.berth.testsupport.Problems;
import dev.berth.testsupport.RegistryClient;
import dev.berth.web.PageForms;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Private repositories end to end with real servers on loopback: Git smart HTTP behind HTTP Basic authentication
 * (git http-backend) with a token, and an SSH Git host (Apache MINA SSHD running git-upload-pack) with a deploy key.
 * Also the SSH host key rules: trust on first use with a pin, a changed key refused, explicit known_hosts.
 */
@QuarkusTest
@QuarkusTestResource(value = BuildInfra.class, restrictToAnnotatedClass = false)
@TestSecurity(user = "admin", roles = "platform-admin")
public class PrivateRepositoryTest {
    static final String TOKEN = "ghp_PrivateRepoToken_0123456789abcdef";
    static final String WRONG_TOKEN = "ghp_WrongRepoToken_fedcba9876543210";

    static String dockerfile() {
        return "ARG BASE\nFROM ${BASE}\nCOPY hello.txt /hello.txt\n";
    }

    public static int build(String tenant, String app) {
        return json().post(Api.app(tenant, app) + "/builds").then().statusCode(201).extract().path("number");
    }

    public static String log(String tenant, String app, int number) {
        return given().accept("text/plain").get(Api.app(tenant, app) + "/builds/" + number + "/log").asString();
    }

    static JsonPath put(String tenant, String app, Map<String, Object> body) {
        return json().body(body).put(Api.app(tenant, app) + "/source").then().log().ifValidationFails().statusCode(200)
                .extract().jsonPath();
    }

    @Test
    void aTokenOverSmartHttpBuildsAndAWrongOneFailsSayingAuthenticationFailedWithoutShowingIt() {
        String base = BuildInfra.baseImage();
        String tenant = Api.createTenant("phttp");
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + "-private.git";
        GitRepos.commit(repo, "Private code", Map.of("Dockerfile", dockerfile(), "hello.txt", "from a private repo\n"));
        try (GitHttpServer http = GitHttpServer.start(BuildInfra.reposDir(), "ci-bot", TOKEN)) {
            Map<String, Object> body = new HashMap<>();
            body.put("repoUrl", http.url(repo));
            body.put("ref", "main");
            body.put("username", "ci-bot");
            body.put("token", TOKEN);
            body.put("buildArgs", Map.of("BASE", base));
            put(tenant, "web", body);

            int ok = build(tenant, "web");
            JsonPath built = BuildEndToEndTest.waitForBuild(tenant, "web", ok);
            assertThat(built.getString("state")).as(log(tenant, "web", ok)).isEqualTo("succeeded");
            String digest = built.getString("imageDigest");
            JsonNode manifest = RegistryClient.manifest(tenant + "/web", digest);
            assertThat(RegistryClient.files(tenant + "/web", manifest).get("hello.txt")).isEqualTo("from a private repo\n");
            assertThat(http.served()).isPositive();

            int refusedBefore = http.refused();
            body.remove("buildArgs");
            body.put("buildArgs", Map.of("BASE", base));
            body.put("token", WRONG_TOKEN);
            put(tenant, "web", body);
            int bad = build(tenant, "web");
            JsonPath failed = BuildEndToEndTest.waitForBuild(tenant, "web", bad);
            assertThat(failed.getString("state")).isEqualTo("failed");
            assertThat(failed.getString("failureReason")).startsWith("authentication failed: 127.0.0.1:")
                    .contains("refused the token for user 'ci-bot'").doesNotContain("Exception", "\tat ");
            assertThat(http.refused()).isGreaterThan(refusedBefore);
            assertThat(log(tenant, "web", bad)).contains("*** Build #" + bad + " failed: authentication failed");

            // Neither token appears anywhere a person or client can read.
            String pages = "/t/" + tenant + "/apps/web/builds";
            String everything = log(tenant, "web", ok) + log(tenant, "web", bad)
                    + json().get(Api.app(tenant, "web") + "/source").asString()
                    + json().get(Api.app(tenant, "web") + "/builds").asString()
                    + json().get(Api.app(tenant, "web") + "/builds/" + bad).asString()
                    + json().get(Api.app(tenant, "web") + "/history").asString()
                    + given().accept("text/event-stream").get(Api.app(tenant, "web") + "/builds/" + bad + "/log").asString()
                    + given().get(pages).asString() + given().get(pages + "/" + bad).asString()
                    + given().get(pages + "/" + ok).asString();
            assertThat(everything).contains("authentication failed").doesNotContain(TOKEN, WRONG_TOKEN);
        }
    }

    @Test
    void aDeployKeyOverSshBuildsThePinnedHostKeyIsEnforcedAndKnownHostsReplaceIt() {
        String base = BuildInfra.baseImage();
        String tenant = Api.createTenant("pssh");
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + "-private.git";
        GitRepos.commit(repo, "Private code", Map.of("Dockerfile", dockerfile(), "hello.txt", "over ssh\n"));
        KeyPair deployKey = GitSshServer.newKey();
        KeyPair firstHostKey = GitSshServer.newKey();
        KeyPair secondHostKey = GitSshServer.newKey();
        try (GitSshServer ssh = GitSshServer.start(BuildInfra.reposDir(), firstHostKey, deployKey.getPublic())) {
            String firstFingerprint = ssh.hostKeyFingerprint();
            Map<String, Object> body = new HashMap<>();
            body.put("repoUrl", ssh.url(repo));
            body.put("ref", "main");
            body.put("sshPrivateKey", GitSshServer.privateKeyText(deployKey));
            body.put("buildArgs", Map.of("BASE", base));
            assertThat(put(tenant, "web", body).getString("pinnedHostKey")).isNull();

            // First build: the deploy key logs in, the server's key is pinned (trust on first use).
            int first = build(tenant, "web");
            JsonPath built = BuildEndToEndTest.waitForBuild(tenant, "web", first);
            assertThat(built.getString("state")).as(log(tenant, "web", first)).isEqualTo("succeeded");
            JsonNode manifest = RegistryClient.manifest(tenant + "/web", built.getString("imageDigest"));
            assertThat(RegistryClient.files(tenant + "/web", manifest).get("hello.txt")).isEqualTo("over ssh\n");
            assertThat(log(tenant, "web", first)).contains("Pinned the SSH host key of 127.0.0.1:" + ssh.port() + ": "
                    + firstFingerprint);
            JsonPath source = json().get(Api.app(tenant, "web") + "/source").then().statusCode(200).extract().jsonPath();
            assertThat(source.getString("pinnedHostKey.fingerprint")).isEqualTo(firstFingerprint);
            assertThat(source.getString("pinnedHostKey.pinnedAt")).isNotNull();
            assertThat(given().get("/t/" + tenant + "/apps/web/builds").asString()).contains(firstFingerprint);
            // Saving the source again without a reset keeps the pin.
            body.remove("sshPrivateKey");
            assertThat(put(tenant, "web", body).getString("pinnedHostKey.fingerprint")).isEqualTo(firstFingerprint);

            // The server comes back with another key: refused, naming both fingerprints and what to do.
            ssh.restart(secondHostKey);
            String secondFingerprint = ssh.hostKeyFingerprint();
            int changed = build(tenant, "web");
            JsonPath refused = BuildEndToEndTest.waitForBuild(tenant, "web", changed);
            assertThat(refused.getString("state")).isEqualTo("failed");
            assertThat(refused.getString("failureReason"))
                    .contains("does not match the key pinned on first use", "expected " + firstFingerprint,
                            "presented " + secondFingerprint, "sshKnownHosts", "reset the pin")
                    .doesNotContain("Exception");

            // A reset forgets the pin; the next build pins the new key.
            body.put("resetHostKey", true);
            assertThat(put(tenant, "web", body).getString("pinnedHostKey")).isNull();
            body.remove("resetHostKey");
            int repinned = build(tenant, "web");
            assertThat(BuildEndToEndTest.waitForBuild(tenant, "web", repinned).getString("state"))
                    .as(log(tenant, "web", repinned)).isEqualTo("succeeded");
            assertThat(json().get(Api.app(tenant, "web") + "/source").then().extract()
                    .<String>path("pinnedHostKey.fingerprint")).isEqualTo(secondFingerprint);

            // Another URL forgets the pin too; known_hosts must name the URL's host.
            Map<String, Object> moved = new HashMap<>(body);
            moved.put("repoUrl", "ssh://git@localhost:" + ssh.port() + "/" + repo);
            assertThat(put(tenant, "web", moved).getString("pinnedHostKey")).isNull();
            moved.put("sshKnownHosts", ssh.knownHostsLine());
            Problems.assertProblem(json().body(moved).put(Api.app(tenant, "web") + "/source"), 400, "sshKnownHosts");

            // Explicit known_hosts with the server's key: accepted, nothing pinned.
            body.put("sshKnownHosts", "# from ssh-keyscan\n" + ssh.knownHostsLine());
            JsonPath withHosts = put(tenant, "web", body);
            assertThat(withHosts.getString("pinnedHostKey")).isNull();
            assertThat(withHosts.getString("sshKnownHosts")).contains(ssh.knownHostsLine());
            int listed = build(tenant, "web");
            assertThat(BuildEndToEndTest.waitForBuild(tenant, "web", listed).getString("state"))
                    .as(log(tenant, "web", listed)).isEqualTo("succeeded");
            assertThat(json().get(Api.app(tenant, "web") + "/source").then().extract()
                    .<String>path("pinnedHostKey")).isNull();

            // Explicit known_hosts with another key: refused, naming the presented and the listed fingerprints.
            body.put("sshKnownHosts", ssh.knownHostsLine(firstHostKey.getPublic()));
            put(tenant, "web", body);
            int unlisted = build(tenant, "web");
            JsonPath notListed = BuildEndToEndTest.waitForBuild(tenant, "web", unlisted);
            assertThat(notListed.getString("state")).isEqualTo("failed");
            assertThat(notListed.getString("failureReason")).contains("(" + secondFingerprint + ") is not in sshKnownHosts",
                    "lists " + firstFingerprint);

            // Another deploy key: the server refuses the login, and the reason says so.
            KeyPair otherKey = GitSshServer.newKey();
            body.put("sshKnownHosts", ssh.knownHostsLine());
            body.put("sshPrivateKey", GitSshServer.privateKeyText(otherKey));
            put(tenant, "web", body);
            int wrongKey = build(tenant, "web");
            JsonPath denied = BuildEndToEndTest.waitForBuild(tenant, "web", wrongKey);
            assertThat(denied.getString("state")).isEqualTo("failed");
            assertThat(denied.getString("failureReason")).startsWith("authentication failed: 127.0.0.1:" + ssh.port())
                    .contains("refused the SSH deploy key (" + org.apache.sshd.common.config.keys.KeyUtils
                            .getFingerPrint(otherKey.getPublic()) + ")");
            String keyBody = GitSshServer.privateKeyText(otherKey).lines().skip(1).findFirst().orElseThrow();
            assertThat(log(tenant, "web", wrongKey) + json().get(Api.app(tenant, "web") + "/source").asString())
                    .doesNotContain(keyBody);
        }
    }

    @Test
    void knownHostsAreCheckedWhenSaved() {
        String tenant = Api.createTenant("pkh");
        Api.createApp(tenant, Api.app("web"));
        KeyPair key = GitSshServer.newKey();
        String line = "[127.0.0.1]:2222 " + org.apache.sshd.common.config.keys.PublicKeyEntry.toString(key.getPublic());
        Map<String, Object> body = new HashMap<>();
        body.put("repoUrl", "ssh://git@127.0.0.1:2222/team/web.git");
        body.put("ref", "main");
        for (String bad : new String[] {"not a known hosts line", "[127.0.0.1]:2222 ssh-ed25519 not-base64!",
                "@revoked " + line, "example.com " + line.substring(line.indexOf(' ') + 1)}) {
            body.put("sshKnownHosts", bad);
            Problems.assertProblem(json().body(body).put(Api.app(tenant, "web") + "/source"), 400, "sshKnownHosts");
        }
        body.put("repoUrl", "https://127.0.0.1/team/web.git");
        body.put("sshKnownHosts", line);
        Problems.assertProblem(json().body(body).put(Api.app(tenant, "web") + "/source"), 400, "sshKnownHosts");
        // Nothing was stored by the refused attempts.
        json().get(Api.app(tenant, "web") + "/source").then().statusCode(404);

        // The builds page's form refuses them the same way, naming the field, and shows stored lines again.
        String page = "/t/" + tenant + "/apps/web/builds";
        String refused = PageForms.from(page).post().formParam("repoUrl", "ssh://git@127.0.0.1:2222/team/web.git")
                .formParam("ref", "main").formParam("sshKnownHosts", "garbage").post(page + "/source").then()
                .statusCode(400).extract().asString();
        assertThat(refused).contains("sshKnownHosts: line 1: is not a known_hosts line");
        json().get(Api.app(tenant, "web") + "/source").then().statusCode(404);

        body.put("repoUrl", "ssh://git@127.0.0.1:2222/team/web.git");
        assertThat(put(tenant, "web", body).getString("sshKnownHosts")).isEqualTo(line + "\n");
        assertThat(given().get(page).asString()).contains(line, "only the keys in the known_hosts lines below");
    }
}
