package dev.berth.builds;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.apps.App;
import dev.berth.builds.source.AppSource;
import dev.berth.builds.source.SourceService;
import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Problems;
import dev.berth.testsupport.RowLocks;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class SourceApiTest {
    @Inject
    SourceService sources;
    private static final String TOKEN = "glpat-Very-Secret-Token-1234567890";

    private static Map<String, Object> source(String url) {
        Map<String, Object> body = new HashMap<>();
        body.put("repoUrl", url);
        body.put("ref", "main");
        return body;
    }

    @Test
    void aTokenIsStoredSealedAndNeverReturnedNorAudited() {
        String tenant = Api.createTenant("src");
        Api.createApp(tenant, Api.app("web"));
        Map<String, Object> body = source("https://127.0.0.1/team/web.git");
        body.put("token", TOKEN);
        body.put("subDirectory", "services/web");
        body.put("buildArgs", Map.of("NODE_VERSION", "22"));
        String put = json().body(body).put(Api.app(tenant, "web") + "/source").then().statusCode(200)
                .body("credentials", equalTo("token")).body("dockerfile", equalTo("Dockerfile"))
                .body("subDirectory", equalTo("services/web")).extract().asString();
        String get = json().get(Api.app(tenant, "web") + "/source").then().statusCode(200).extract().asString();
        String history = json().get(Api.app(tenant, "web") + "/history").then().statusCode(200).extract().asString();
        assertThat(put + get + history).doesNotContain(TOKEN);
        assertThat(history).contains("source.connect");
        String stored = QuarkusTransaction.requiringNew().call(() -> AppSource.<AppSource>find("appId = (select a.id "
                + "from App a where a.name = 'web' and a.tenantId = (select t.id from Tenant t where t.slug = ?1))", tenant)
                .firstResult().authSecret);
        assertThat(stored).startsWith("v2:k0:").doesNotContain(TOKEN);

        // A later change without credentials keeps them; clearCredentials removes them.
        json().body(source("https://127.0.0.1/team/web.git")).put(Api.app(tenant, "web") + "/source").then()
                .statusCode(200).body("credentials", equalTo("token"));
        Map<String, Object> clear = source("https://127.0.0.1/team/web.git");
        clear.put("clearCredentials", true);
        json().body(clear).put(Api.app(tenant, "web") + "/source").then().statusCode(200)
                .body("credentials", equalTo("none"));
    }

    @Test
    void urlsThatReachBerthsOwnNetworkAreRefusedAfterResolution() {
        String tenant = Api.createTenant("ssrf");
        Api.createApp(tenant, Api.app("web"));
        String path = Api.app(tenant, "web") + "/source";
        for (String url : new String[] {"file:///etc/passwd", "http://169.254.169.254/latest/meta-data.git",
                "https://10.0.0.5/team/web.git", "https://192.168.1.10/web.git", "ssh://[::1]/web.git",
                "https://[fd00::1]/web.git", "git@100.64.0.1:team/web.git", "https://0.0.0.0/web.git",
                "https://user:pw@127.0.0.1/web.git", "ftp://127.0.0.1/web.git"}) {
            Problems.assertProblem(json().body(source(url)).put(path), 400, "repoUrl");
        }
        assertThat(json().get(path).statusCode()).isEqualTo(404); // nothing was stored
        // Loopback by name and number is allow-listed for the tests (berth.builds.allowed-hosts).
        json().body(source("git://127.0.0.1:9418/web.git")).put(path).then().statusCode(200);
        json().body(source("git@localhost:team/web.git")).put(path).then().statusCode(200);
    }

    /**
     * A host key a build pins while the source is being changed stays pinned: the change, read before the pin and
     * written after it, used to write the pin back to none, so the next build trusted whatever key it was shown.
     */
    @Test
    void aHostKeyPinnedWhileTheSourceChangesStaysPinned() throws Exception {
        String tenant = Api.createTenant("srcpin");
        Api.createApp(tenant, Api.app("web"));
        String path = Api.app(tenant, "web") + "/source";
        String url = "git@localhost:team/web.git";
        json().body(source(url)).put(path).then().statusCode(200);
        long appId = QuarkusTransaction.requiringNew().call(() ->
                App.findByName(Tenant.findBySlug(tenant).id, "web").id);
        Map<String, Object> develop = source(url);
        develop.put("ref", "develop");
        // A build's first SSH connection pins the key; the change comes before that commits.
        CompletableFuture<Integer> change = QuarkusTransaction.requiringNew().call(() -> {
            assertThat(sources.pinHostKey(appId, url, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPinned", "SHA256:pinned"))
                    .isTrue();
            CompletableFuture<Integer> put = CompletableFuture.supplyAsync(() ->
                    json().body(develop).put(path).then().extract().statusCode());
            RowLocks.awaitWaiterOn(RowLocks.backend(), put);
            return put;
        });
        assertThat(change.get(30, TimeUnit.SECONDS)).isEqualTo(200);
        json().get(path).then().statusCode(200).body("ref", equalTo("develop"))
                .body("pinnedHostKey.fingerprint", equalTo("SHA256:pinned"));
    }

    @Test
    void badFieldsAreNamed() {
        String tenant = Api.createTenant("srcv");
        Api.createApp(tenant, Api.app("web"));
        String path = Api.app(tenant, "web") + "/source";
        Map<String, Object> body = source("https://127.0.0.1/web.git");
        body.put("ref", "main..evil");
        Problems.assertProblem(json().body(body).put(path), 400, "ref");
        body = source("https://127.0.0.1/web.git");
        body.put("subDirectory", "../outside");
        Problems.assertProblem(json().body(body).put(path), 400, "subDirectory");
        body = source("https://127.0.0.1/web.git");
        body.put("dockerfile", "/etc/Dockerfile");
        Problems.assertProblem(json().body(body).put(path), 400, "dockerfile");
        body = source("https://127.0.0.1/web.git");
        body.put("buildArgs", Map.of("bad name", "x"));
        Problems.assertProblem(json().body(body).put(path), 400, "buildArgs.bad name");
        body = source("https://127.0.0.1/web.git");
        body.put("sshPrivateKey", "not a key");
        Problems.assertProblem(json().body(body).put(path), 400, "sshPrivateKey");
        Problems.assertProblem(json().body(Map.of("commitSha", "xyz")).post(Api.app(tenant, "web") + "/builds"), 400,
                "commitSha");
        // No repository yet: a build request says what to do first.
        Problems.assertProblem(json().post(Api.app(tenant, "web") + "/builds"), 409, "source");
    }
}
