package dev.berth.builds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.berth.apps.App;
import dev.berth.tenants.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Golden;
import dev.berth.testsupport.Sandbox;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
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
 * The Kubernetes Job executor: the exact Job and Secret it creates (golden YAML), and its run against the CRUD
 * mock API server of the sandbox region, where the test plays the Job controller and kubelet.
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

    static BuildSpec spec(long buildId, int number, String tenant, GitSource.Credentials creds) {
        return new BuildSpec(buildId, number, 7, tenant, "web", Path.of("/unused"), Path.of("/unused"), "Dockerfile",
                Map.of("NODE_VERSION", "22", "GREETING", "it's here"), "https://git.example.com/acme/web.git",
                "0123456789abcdef0123456789abcdef01234567", "services/web", creds,
                "registry.example.com/acme/web:0123456789ab", null);
    }

    @Test
    void theBuilderJobIsUnprivilegedLimitedAndKeepsCredentialsInItsSecret() {
        BuildSpec s = spec(1, 12, "acme", new GitSource.Credentials("token", null, "tok-secret-value"));
        Job job = BuildJobManifests.job(s, config.kubernetes(), 900);
        Golden.assertMatches("build-job.yaml", List.of(BuildJobManifests.secret(s, "berth-builds", "{\"auths\":{}}"), job));
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
                    return executor.run(client, s, log, new BuildControl(Duration.ofMinutes(1)), () -> pushed.set(true));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            // Play the Job controller and kubelet: a pod for the Job that ran, then the Job's success.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> client.batch().v1().jobs().inNamespace("berth-builds").withName(name).get() != null);
            assertThat(client.secrets().inNamespace("berth-builds").withName(name).get()).isNotNull();
            client.pods().inNamespace("berth-builds").resource(new PodBuilder().withNewMetadata().withName(name + "-x1")
                    .addToLabels("job-name", name).endMetadata().withNewStatus().withPhase("Succeeded")
                    .addNewContainerStatus().withName("build").withNewState().withNewTerminated().withExitCode(0)
                    .withMessage(DIGEST + "\n").endTerminated().endState().endContainerStatus().endStatus().build()).create();
            Job job = client.batch().v1().jobs().inNamespace("berth-builds").withName(name).get();
            job.setStatus(new JobStatusBuilder().withSucceeded(1).build());
            client.batch().v1().jobs().inNamespace("berth-builds").resource(job).updateStatus();
            assertThat(digest.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(DIGEST);
        }
        assertThat(pushed).isTrue();
        assertThat(client.secrets().inNamespace("berth-builds").withName(name).get()).isNull();
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
                    return executor.run(client, spec(buildId, 1, tenant, GitSource.Credentials.NONE), log, control, () -> { });
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> client.batch().v1().jobs().inNamespace("berth-builds").withName(name).get() != null);
            control.requestCancel();
            assertThatThrownBy(() -> run.get(10, java.util.concurrent.TimeUnit.SECONDS)).hasMessageContaining("cancelled");
        }
        assertThat(client.batch().v1().jobs().inNamespace("berth-builds").withName(name).get()).isNull();
        assertThat(client.secrets().inNamespace("berth-builds").withName(name).get()).isNull();
    }

    private static long buildRow(String slug) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Tenant t = Tenant.findBySlug(slug);
            App a = App.findByName(t.id, "web");
            Build b = new Build();
            b.tenantId = t.id;
            b.appId = a.id;
            b.number = 1;
            b.state = Build.SUCCEEDED; // only a holder for log lines: no worker may pick it up
            b.triggerKind = "api";
            b.requestedBy = "admin";
            b.persist();
            return b.id;
        });
    }
}
