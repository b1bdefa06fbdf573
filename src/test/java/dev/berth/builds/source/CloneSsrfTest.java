package dev.berth.builds.source;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.berth.apps.App;
import dev.berth.builds.BuildEndToEndTest;
import dev.berth.builds.PrivateRepositoryTest;
import dev.berth.builds.run.BuildFailure;
import dev.berth.builds.run.Workspace;
import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitHttpServer;
import dev.berth.testsupport.GitRepos;
import dev.berth.testsupport.GitSshServer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SSRF at every hop of a clone, with real servers on loopback: a redirect to a host the rules refuse is not
 * followed (the refused host gets no request, and nothing it would say reaches the build), and a host whose DNS
 * answer changed between the check before the build and the connection (DNS rebinding) is refused when the
 * connection is opened, over smart HTTP, and on the address the TCP connection really opens over HTTPS and SSH.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class CloneSsrfTest {
    private static final String INTERNAL_SECRET = "aws_secret_access_key=wJalrXUtnFEMI-internal-only";

    /** 127.0.0.2 is loopback like the allow-listed 127.0.0.1, but not on the tests' allow-list. */
    @Test
    void aRedirectToARefusedHostIsNotFollowedAndNothingItSaysReachesTheBuild() throws Exception {
        AtomicInteger internalRequests = new AtomicInteger();
        HttpServer internal = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0), 8);
        internal.createContext("/", ex -> {
            internalRequests.incrementAndGet();
            byte[] body = (INTERNAL_SECRET + "\nsecond line\n").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        internal.start();
        String target = "http://127.0.0.2:" + internal.getAddress().getPort() + "/latest/meta-data";
        HttpServer redirector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        redirector.createContext("/", ex -> {
            ex.getResponseHeaders().add("Location", target + "/info/refs?service=git-upload-pack");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        redirector.start();
        try {
            String tenant = Api.createTenant("redir");
            Api.createApp(tenant, Api.app("web"));
            json().body(Map.of("repoUrl", "http://127.0.0.1:" + redirector.getAddress().getPort() + "/team/web.git",
                    "ref", "main")).put(Api.app(tenant, "web") + "/source").then().statusCode(200);
            int number = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
            JsonPath build = BuildEndToEndTest.waitForBuild(tenant, "web", number);
            String log = PrivateRepositoryTest.log(tenant, "web", number);

            assertThat(build.getString("state")).isEqualTo("failed");
            assertThat(build.getString("failureReason")).startsWith("repository URL refused: a redirect to http://127.0.0.2:")
                    .contains("was not followed", "a loopback address", "berth.builds.allowed-hosts")
                    .doesNotContain("wJalrXUtnFEMI").doesNotContain("second line");
            assertThat(log).doesNotContain("wJalrXUtnFEMI");
            assertThat(internalRequests).hasValue(0);
        } finally {
            redirector.stop(0);
            internal.stop(0);
        }
    }

    @Test
    void aDnsAnswerThatTurnsInternalAfterTheCheckIsRefusedWhenTheHttpConnectionOpens() throws Exception {
        String repo = "rebind-http-" + System.nanoTime() + ".git";
        GitRepos.commit(repo, "code", Map.of("README.md", "# web\n"));
        HostPolicy rebinding = new HostPolicy(List.of(), firstAnswerPublic());
        try (GitHttpServer http = GitHttpServer.start(BuildInfra.reposDir(), "ci-bot", "tok-rebind")) {
            String url = http.url(repo).replace("127.0.0.1", "localhost");
            // The check before the build saw the first, public answer.
            assertThat(rebinding.check("localhost")).isNull();

            BuildFailure refused = catchThrowableOfType(() -> checkout(url, new GitSource.Credentials("token", "ci-bot",
                    "tok-rebind"), null, rebinding), BuildFailure.class);

            assertThat(refused).isNotNull();
            assertThat(refused.getMessage()).startsWith("repository URL refused: host 'localhost' resolves to 127.0.0.1")
                    .contains("a loopback address");
            assertThat(http.served() + http.refused()).as("requests that reached the server").isZero();
        }
    }

    @Test
    void anSshConnectionIsJudgedByTheAddressItReallyConnectsTo() throws Exception {
        String repo = "rebind-ssh-" + System.nanoTime() + ".git";
        GitRepos.commit(repo, "code", Map.of("README.md", "# web\n"));
        KeyPair deploy = GitSshServer.newKey();
        // DNS as the check saw it: public, every time. The connection still goes to loopback.
        HostPolicy alwaysPublic = new HostPolicy(List.of(), h -> new InetAddress[] {InetAddress.getByName("203.0.113.7")});
        try (GitSshServer ssh = GitSshServer.start(BuildInfra.reposDir(), GitSshServer.newKey(), deploy.getPublic())) {
            String url = ssh.url(repo).replace("127.0.0.1", "localhost");
            assertThat(alwaysPublic.check("localhost")).isNull();

            BuildFailure refused = catchThrowableOfType(() -> checkout(url, new GitSource.Credentials("ssh-key", null,
                    GitSshServer.privateKeyText(deploy)), HostKeyCheck.forUrl(url, null, null), alwaysPublic),
                    BuildFailure.class);

            assertThat(refused).isNotNull();
            assertThat(refused.getMessage()).startsWith("repository URL refused: host 'localhost' resolved to 127.0.0.1 "
                    + "when connecting").contains("a loopback address");
            assertThat(ssh.uploads()).isZero();
        }
    }

    @Test
    void anHttpsConnectionIsJudgedByTheAddressItReallyConnectsTo() throws Exception {
        // DNS as the checks saw it: public, every time. The TCP connection would still go to loopback.
        HostPolicy alwaysPublic = new HostPolicy(List.of(), h -> new InetAddress[] {InetAddress.getByName("203.0.113.7")});
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket s = listener.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "https-listener");
            acceptor.setDaemon(true);
            acceptor.start();
            String url = "https://localhost:" + listener.getLocalPort() + "/team/web.git";
            assertThat(alwaysPublic.check("localhost")).isNull();

            BuildFailure refused = catchThrowableOfType(() -> checkout(url, GitSource.Credentials.NONE, null,
                    alwaysPublic), BuildFailure.class);

            assertThat(refused).isNotNull();
            assertThat(refused.getMessage()).startsWith("repository URL refused: host 'localhost' resolved to 127.0.0.1 "
                    + "when connecting").contains("a loopback address");
            assertThat(accepted).hasValue(0);
        }
    }

    /**
     * A URL that passed when it was saved but is refused now (here written past the API, as a DNS answer or the
     * allow-list can change) fails the build before anything is fetched, whichever executor would build it.
     */
    @Test
    void aBuildWhoseUrlIsRefusedByNowFailsBeforeFetchingSayingWhy() {
        String tenant = Api.createTenant("stale");
        Api.createApp(tenant, Api.app("web"));
        String repo = tenant + ".git";
        GitRepos.commit(repo, "code", Map.of("README.md", "# web\n"));
        json().body(Map.of("repoUrl", BuildInfra.gitUrl(repo), "ref", "main")).put(Api.app(tenant, "web") + "/source")
                .then().statusCode(200);
        String refusedUrl = BuildInfra.gitUrl(repo).replace("127.0.0.1", "127.0.0.2");
        QuarkusTransaction.requiringNew().run(() -> AppSource.forApp(
                App.findByName(Tenant.findBySlug(tenant).id, "web").id).repoUrl = refusedUrl);

        int number = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
        JsonPath build = BuildEndToEndTest.waitForBuild(tenant, "web", number);

        assertThat(build.getString("state")).isEqualTo("failed");
        assertThat(build.getString("failureReason")).isEqualTo("repository URL refused: host '127.0.0.2' is 127.0.0.2, "
                + "a loopback address; an admin can allow it with berth.builds.allowed-hosts");
        assertThat(build.getString("commitSha")).isNull();
    }

    private static GitSource.Commit checkout(String url, GitSource.Credentials creds, HostKeyCheck keys,
            HostPolicy hosts) throws Exception {
        Path work = Files.createTempDirectory("clone-ssrf");
        try {
            return GitSource.checkout(url, "main", null, creds, keys, hosts, work.resolve("src"), work.resolve("scratch"),
                    () -> false, line -> { });
        } finally {
            Workspace.deleteTree(work);
        }
    }

    /** A name server whose first answer is a public address and whose later answers are the real ones. */
    private static HostPolicy.Resolver firstAnswerPublic() {
        AtomicInteger calls = new AtomicInteger();
        return host -> calls.getAndIncrement() == 0 ? new InetAddress[] {InetAddress.getByName("203.0.113.7")}
                : InetAddress.getAllByName(host);
    }
}
