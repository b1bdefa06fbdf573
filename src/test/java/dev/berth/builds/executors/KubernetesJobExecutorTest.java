package dev.berth.builds.executors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.berth.apps.App;
import dev.berth.builds.Build;
import dev.berth.builds.BuildState;
import dev.berth.builds.run.BuildControl;
import dev.berth.builds.run.BuildLog;
import dev.berth.builds.run.BuildTimeout;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.builds.source.GitSource;
import dev.berth.kube.ClusterWriter;
import dev.berth.kube.Names;
import dev.berth.kube.WriteCounter;
import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Golden;
import dev.berth.testsupport.Sandbox;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes Job executor: the exact Job and Secret it creates (golden YAML), and its run against a Fabric8
 * CRUD mock API server (the sandbox region's, or one with a pod log endpoint), where the test plays the Job
 * controller and kubelet.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class KubernetesJobExecutorTest {
    static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Inject
    KubernetesJobExecutor executor;
    @Inject
    BuildsConfig config;
    @Inject
    BuildLog logs;
    @Inject
    Sandbox sandbox;
    @Inject
    WriteCounter writes;

    private ClusterWriter writer() {
        return sandbox.cluster().writer();
    }

    static BuildSpec spec(long buildId, int number, String tenant, GitSource.Credentials creds) {
        return new BuildSpec(buildId, number, 7, tenant, "web", Path.of("/unused"), Path.of("/unused"), "Dockerfile",
                Map.of("NODE_VERSION", "22", "GREETING", "it's here"), "https://git.example.com/acme/web.git",
                "0123456789abcdef0123456789abcdef01234567", "services/web", creds,
                "registry.example.com/acme/web:0123456789ab", null, 8080);
    }

    /** Git host and registry pinned to documentation addresses, as {@link BuildEgress#of} would after its checks. */
    static final BuildEgress EGRESS = new BuildEgress(List.of(new BuildEgress.Pin("git.example.com", "203.0.113.7", 443),
            new BuildEgress.Pin("registry.example.com", "198.51.100.9", 443)), List.of("192.0.2.0/24"));

    @Test
    void theBuilderJobIsUnprivilegedLimitedFencedAndKeepsCredentialsInItsSecret() {
        BuildSpec s = spec(1, 12, "acme", new GitSource.Credentials("token", null, "tok-secret-value"));
        Job job = BuildJobManifests.job(s, config.kubernetes(), 900, EGRESS);
        List<io.fabric8.kubernetes.api.model.HasMetadata> objects = new java.util.ArrayList<>(
                BuildJobManifests.fence("acme", 2, config.kubernetes()));
        objects.add(BuildJobManifests.networkPolicy(s, EGRESS));
        objects.add(BuildJobManifests.secret(s, "{\"auths\":{}}", "registry.example.com", false));
        objects.add(job);
        Golden.assertMatches("build-job.yaml", objects);
        assertThat(Golden.yaml(List.of(job))).doesNotContain("tok-secret-value");
    }

    @Test
    void aSucceededJobYieldsTheDigestFromTheBuildContainerAndItsSecretIsRemoved() throws Exception {
        String tenant = Api.createTenant("kjob");
        Api.createApp(tenant, Api.app("web"));
        long buildId = buildRow(tenant);
        KubernetesClient client = sandbox.client();
        BuildSpec s = spec(buildId, 1, tenant, GitSource.Credentials.NONE);
        String name = BuildJobManifests.name(tenant, "web", 1);
        AtomicBoolean pushed = new AtomicBoolean();
        try (BuildLog.Writer log = logs.open(buildId, List.of())) {
            CompletableFuture<String> digest = CompletableFuture.supplyAsync(() -> {
                try {
                    return executor.run(client, writer(), s, EGRESS, 2, log, new BuildControl(Duration.ofMinutes(1)),
                            () -> pushed.set(true));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            // Play the Job controller and kubelet: a pod for the Job that ran, then the Job's success.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> client.batch().v1().jobs().inNamespace(Names.buildNamespace(tenant)).withName(name).get() != null);
            // The policy and the Secret exist before the Job, and the Job owns them, so the cluster removes them
            // with it even if no Berth instance is left to.
            await().atMost(Duration.ofSeconds(10)).until(() -> client.secrets().inNamespace(Names.buildNamespace(tenant))
                    .withName(name).get().getMetadata().getOwnerReferences().size() == 1);
            assertThat(client.network().v1().networkPolicies().inNamespace(Names.buildNamespace(tenant)).withName(name)
                    .get().getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getKind() + "/" + o.getName()).isEqualTo("Job/" + name));
            client.pods().inNamespace(Names.buildNamespace(tenant)).resource(new PodBuilder().withNewMetadata().withName(name + "-x1")
                    .addToLabels("job-name", name).endMetadata().withNewStatus().withPhase("Succeeded")
                    .addNewContainerStatus().withName("build").withNewState().withNewTerminated().withExitCode(0)
                    .withMessage(DIGEST + "\n").endTerminated().endState().endContainerStatus().endStatus().build()).create();
            Job job = client.batch().v1().jobs().inNamespace(Names.buildNamespace(tenant)).withName(name).get();
            job.setStatus(new JobStatusBuilder().withSucceeded(1).build());
            client.batch().v1().jobs().inNamespace(Names.buildNamespace(tenant)).resource(job).updateStatus();
            assertThat(digest.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(DIGEST);
        }
        assertThat(pushed).isTrue();
        assertThat(client.secrets().inNamespace(Names.buildNamespace(tenant)).withName(name).get()).isNull();
        assertThat(client.network().v1().networkPolicies().inNamespace(Names.buildNamespace(tenant)).withName(name).get())
                .isNull();
        assertThat(client.network().v1().networkPolicies().inNamespace(Names.buildNamespace(tenant))
                .withName(BuildJobManifests.DEFAULT_DENY).get()).isNotNull();
    }

    /**
     * A recovered build's new attempt finds the Job, Secret and policy its dead predecessor left under the same
     * names: it removes them and runs its own Job, instead of failing on "already exists" or adopting the old result.
     */
    @Test
    void aNewAttemptRemovesTheJobOfAnEarlierAttemptAndRunsItsOwn() throws Exception {
        String tenant = Api.createTenant("kagain");
        Api.createApp(tenant, Api.app("web"));
        long buildId = buildRow(tenant);
        KubernetesClient client = sandbox.client();
        BuildSpec s = spec(buildId, 1, tenant, GitSource.Credentials.NONE);
        String ns = Names.buildNamespace(tenant);
        String name = BuildJobManifests.name(tenant, "web", 1);
        for (io.fabric8.kubernetes.api.model.HasMetadata o : BuildJobManifests.fence(tenant, 2, config.kubernetes())) {
            client.resource(o).create();
        }
        Job old = client.resource(BuildJobManifests.job(s, config.kubernetes(), 900, EGRESS)).create();
        old.setStatus(new JobStatusBuilder().withSucceeded(1).build());
        client.batch().v1().jobs().inNamespace(ns).resource(old).updateStatus();
        client.resource(BuildJobManifests.secret(s, "{}", "registry.example.com", false)).create();
        client.resource(BuildJobManifests.networkPolicy(s, EGRESS)).create();
        String oldUid = old.getMetadata().getUid();
        try (BuildLog.Writer log = logs.open(buildId, List.of())) {
            CompletableFuture<String> digest = CompletableFuture.supplyAsync(() -> {
                try {
                    return executor.run(client, writer(), s, EGRESS, 2, log, new BuildControl(Duration.ofMinutes(1)),
                            () -> { });
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                Job j = client.batch().v1().jobs().inNamespace(ns).withName(name).get();
                return j != null && !j.getMetadata().getUid().equals(oldUid);
            });
            assertThat(digest).isNotDone(); // the old Job's success is not this attempt's
            client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name + "-x2")
                    .addToLabels("job-name", name).endMetadata().withNewStatus().withPhase("Succeeded")
                    .addNewContainerStatus().withName("build").withNewState().withNewTerminated().withExitCode(0)
                    .withMessage(DIGEST).endTerminated().endState().endContainerStatus().endStatus().build()).create();
            Job job = client.batch().v1().jobs().inNamespace(ns).withName(name).get();
            job.setStatus(new JobStatusBuilder().withSucceeded(1).build());
            client.batch().v1().jobs().inNamespace(ns).resource(job).updateStatus();
            assertThat(digest.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(DIGEST);
        }
        assertThat(logs.read(buildId, 0, 100)).extracting(BuildLog.Line::text)
                .contains("Removing the builder Job " + ns + "/" + name + " of an earlier attempt");
    }

    @Test
    void aCancelledBuildDeletesItsJob() throws Exception {
        String tenant = Api.createTenant("kcan");
        Api.createApp(tenant, Api.app("web"));
        long buildId = buildRow(tenant);
        KubernetesClient client = sandbox.client();
        String name = BuildJobManifests.name(tenant, "web", 1);
        BuildControl control = new BuildControl(Duration.ofMinutes(1));
        try (BuildLog.Writer log = logs.open(buildId, List.of())) {
            CompletableFuture<String> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return executor.run(client, writer(), spec(buildId, 1, tenant, GitSource.Credentials.NONE), EGRESS,
                            2, log, control, () -> { });
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> client.batch().v1().jobs().inNamespace(Names.buildNamespace(tenant)).withName(name).get() != null);
            control.requestCancel();
            assertThatThrownBy(() -> run.get(10, java.util.concurrent.TimeUnit.SECONDS)).hasMessageContaining("cancelled");
        }
        assertThat(client.batch().v1().jobs().inNamespace(Names.buildNamespace(tenant)).withName(name).get()).isNull();
        assertThat(client.secrets().inNamespace(Names.buildNamespace(tenant)).withName(name).get()).isNull();
    }

    @Test
    void overSshTheBuilderChecksTheServerAgainstTheSourcesKnownHosts() {
        String knownHosts = "* ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAI\n";
        BuildSpec s = new BuildSpec(1, 3, 7, "acme", "web", Path.of("/unused"), Path.of("/unused"), "Dockerfile",
                Map.of(), "ssh://git@git.example.com/acme/web.git", "0123456789abcdef0123456789abcdef01234567", null,
                new GitSource.Credentials("ssh-key", null, "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n"),
                "registry.example.com/acme/web:0123456789ab", knownHosts, 8080);
        io.fabric8.kubernetes.api.model.Secret secret = BuildJobManifests.secret(s, "{}", "registry.example.com", false);
        assertThat(new String(java.util.Base64.getDecoder().decode(secret.getData().get("ssh-known-hosts"))))
                .isEqualTo(knownHosts);
        assertThat(BuildJobManifests.CLONE_SCRIPT).contains("StrictHostKeyChecking=yes",
                "UserKnownHostsFile=$BERTH_SECRETS/ssh-known-hosts").doesNotContain("accept-new");
    }

    /**
     * The builder pod's log, served by the API server's pod log endpoint (an expectation next to the CRUD store,
     * which cannot serve logs), reaches the build log and its event stream line by line, in order, with the
     * build's secrets masked; the Job's deadline is the time the build has left.
     */
    @Test
    void theBuilderPodsLogReachesTheBuildLogAndItsStreamInOrderWithSecretsMasked() throws Exception {
        String tenant = Api.createTenant("klog");
        Api.createApp(tenant, Api.app("web"));
        long buildId = buildRow(tenant);
        String token = "glpat-BuilderPodSecret-0987654321";
        String name = BuildJobManifests.name(tenant, "web", 1);
        String pod = name + "-p1";
        java.util.Map<io.fabric8.mockwebserver.ServerRequest, java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>
                expectations = new java.util.HashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        server.init(java.net.InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient client = server.createClient()) {
            String logPath = "/api/v1/namespaces/" + Names.buildNamespace(tenant) + "/pods/" + pod + "/log?pretty=false&container=";
            server.expect().get().withPath(logPath + "clone&follow=true")
                    .andReturn(200, "cloning from the repository\nchecked out 0123456789abcdef\n").once();
            server.expect().get().withPath(logPath + "build&follow=true")
                    .andReturn(200, "STEP 1/2: FROM base\nusing token " + token + " for the registry\n"
                            + "STEP 2/2: RUN make\nwrote digest\n").once();
            BuildSpec s = spec(buildId, 1, tenant, new GitSource.Credentials("token", null, token));
            BuildControl control = new BuildControl(new BuildTimeout(Duration.ofMinutes(2), "plan 'free' build timeout"));
            try (BuildLog.Writer log = logs.open(buildId, List.of(token))) {
                CompletableFuture<String> digest = CompletableFuture.supplyAsync(() -> {
                    try {
                        return executor.run(client, new ClusterWriter(client, "logs", writes), s, EGRESS, 2, log, control,
                                () -> { });
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> client.batch().v1().jobs().inNamespace(Names.buildNamespace(tenant)).withName(name).get() != null);
                Job job = client.batch().v1().jobs().inNamespace(Names.buildNamespace(tenant)).withName(name).get();
                assertThat(job.getSpec().getActiveDeadlineSeconds()).isBetween(100L, 120L);
                // The pod runs: its log is followed from now on.
                client.pods().inNamespace(Names.buildNamespace(tenant)).resource(new PodBuilder().withNewMetadata().withName(pod)
                        .addToLabels("job-name", name).endMetadata().withNewStatus().withPhase("Running").endStatus()
                        .build()).create();
                // Lines reach readers while the build runs, without a later line or the end pushing them out.
                await().atMost(Duration.ofSeconds(10)).until(() -> logs.read(buildId, 0, 100).stream()
                        .anyMatch(l -> l.text().equals("wrote digest")));
                client.pods().inNamespace(Names.buildNamespace(tenant)).withName(pod).edit(p -> new PodBuilder(p).editStatus()
                        .withPhase("Succeeded").addNewContainerStatus().withName("build").withNewState().withNewTerminated()
                        .withExitCode(0).withMessage(DIGEST).endTerminated().endState().endContainerStatus().endStatus()
                        .build());
                job.setStatus(new JobStatusBuilder().withSucceeded(1).build());
                client.batch().v1().jobs().inNamespace(Names.buildNamespace(tenant)).resource(job).updateStatus();
                assertThat(digest.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(DIGEST);
            }
        } finally {
            server.destroy();
        }
        List<String> expected = List.of("cloning from the repository", "checked out 0123456789abcdef",
                "STEP 1/2: FROM base", "using token **** for the registry", "STEP 2/2: RUN make", "wrote digest");
        List<String> lines = logs.read(buildId, 0, 100).stream().map(BuildLog.Line::text).toList();
        assertThat(lines).containsSubsequence(expected).noneMatch(l -> l.contains(token));
        assertThat(lines.get(0)).startsWith("Started builder Job " + Names.buildNamespace(tenant) + "/" + name);

        String events = given().accept("text/event-stream").get(Api.app(tenant, "web") + "/builds/1/log").then()
                .statusCode(200).extract().asString();
        List<String> data = events.lines().filter(l -> l.startsWith("data:")).map(l -> l.substring(5)).toList();
        assertThat(data).containsSubsequence(expected).noneMatch(l -> l.contains(token));
        assertThat(data.get(data.size() - 1)).isEqualTo("succeeded");
    }

    private static long buildRow(String slug) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Tenant t = Tenant.findBySlug(slug);
            App a = App.findByName(t.id, "web");
            Build b = new Build();
            b.tenantId = t.id;
            b.appId = a.id;
            b.number = 1;
            b.state = BuildState.SUCCEEDED; // only a holder for log lines: no worker may pick it up
            b.triggerKind = "api";
            b.requestedBy = "admin";
            b.persist();
            return b.id;
        });
    }
}
