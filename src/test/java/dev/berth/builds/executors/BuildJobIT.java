package dev.berth.builds.executors;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.builds.BuildState;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.it.ControlPlane;
import dev.berth.it.RealCluster;
import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Builds as Kubernetes Jobs on the real apiserver, under {@code deploy/rbac.yaml}: Berth writes the tenant's build
 * namespace and its fence, the build's NetworkPolicy, Secret and Job as its own service account; the apiserver
 * accepts every object; and the test kubelet runs the builder pod's containers on this machine with exactly the
 * commands and environment the apiserver stored (git clone from the tests' git daemon, buildah bud and push to the
 * tests' registry). The pushed image is in the registry under the digest the build reports.
 */
@QuarkusTest
@TestProfile(RealCluster.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class BuildJobIT {
    static final Duration WAIT = Duration.ofSeconds(180);
    private final KubernetesClient kube = ControlPlane.get().admin();

    @Inject
    BuildsConfig config;
    @Inject
    LocalBuildahExecutor local;
    @Inject
    KubernetesJobExecutor kubernetes;

    /** The production default: every Dockerfile build goes to the Job executor. */
    static class JobExecutors extends BuildExecutors {
        @Override
        public boolean onHost() {
            return false;
        }

        @Override
        public BuildExecutor current() {
            return kubernetes;
        }
    }

    @BeforeEach
    void buildsRunAsJobs() {
        JobExecutors jobs = new JobExecutors();
        jobs.config = config;
        jobs.local = local;
        jobs.kubernetes = kubernetes;
        QuarkusMock.installMockForType(jobs, BuildExecutors.class);
    }

    @Test
    void aDockerfileBuildRunsAsAFencedJobThatTheApiServerAcceptsAndPushesTheImage() throws Exception {
        String base = BuildInfra.baseImage();
        String tenant = Api.createTenant("bjob");
        Api.createApp(tenant, Api.app("web"));
        String sha = GitRepos.commit(tenant + ".git", "Dockerfile", Map.of("Dockerfile", """
                FROM %s
                ARG GREETING
                RUN echo "$GREETING from the builder pod" > /greeting
                USER 65532
                CMD ["cat", "/greeting"]
                """.formatted(base)));
        json().body(Map.of("repoUrl", BuildInfra.gitUrl(tenant + ".git"), "ref", "main",
                "buildArgs", Map.of("GREETING", "hello"))).put(Api.app(tenant, "web") + "/source").then()
                .log().ifValidationFails().statusCode(200);
        Instant began = Instant.now();
        String ns = Names.buildNamespace(tenant);
        AtomicReference<Job> job = new AtomicReference<>();
        AtomicReference<NetworkPolicy> policy = new AtomicReference<>();
        int n = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
        String name = BuildJobManifests.name(tenant, "web", n);
        // The per-build objects, as the apiserver stored them while the build ran.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            job.compareAndSet(null, kube.batch().v1().jobs().inNamespace(ns).withName(name).get());
            policy.compareAndSet(null, kube.network().v1().networkPolicies().inNamespace(ns).withName(name).get());
            return job.get() != null && policy.get() != null;
        });
        JsonPath b = await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(
                () -> json().get(Api.app(tenant, "web") + "/builds/" + n).then().statusCode(200).extract().jsonPath(),
                r -> BuildState.of(r.getString("state")).finished());
        assertThat(b.getString("state")).as(b.getString("failureReason")).isEqualTo("succeeded");

        // The image is in the registry under the reported digest, built from the commit with the build argument.
        String digest = b.getString("imageDigest");
        assertThat(manifestStatus(tenant + "/web", digest)).isEqualTo(200);
        Pod pod = kube.pods().inNamespace(ns).withLabel("job-name", name).list().getItems().get(0);
        String buildLog = Files.readString(ControlPlane.get().kubelet().builderPodDir(pod).resolve("build.log"));
        assertThat(buildLog).contains("RUN echo \"$GREETING from the builder pod\"");
        assertThat(Files.readString(ControlPlane.get().kubelet().builderPodDir(pod).resolve("clone.log")))
                .contains("checked out " + sha);

        // The pod: no service-account token, nothing privileged, a deadline, and the Git host and registry pinned.
        Job j = job.get();
        assertThat(j.getSpec().getActiveDeadlineSeconds()).isPositive();
        assertThat(j.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
        for (Container c : j.getSpec().getTemplate().getSpec().getContainers()) {
            assertThat(c.getSecurityContext().getPrivileged()).isFalse();
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        }
        // Egress: DNS, then the git daemon and the registry on their ports (both on loopback here), nothing else.
        int gitPort = URI.create(BuildInfra.gitUrl("x")).getPort();
        int registryPort = Integer.parseInt(BuildInfra.registry().split(":")[1]);
        List<NetworkPolicyEgressRule> egress = policy.get().getSpec().getEgress();
        assertThat(egress).hasSize(3);
        assertThat(egress.subList(1, 3)).extracting(r -> r.getTo().get(0).getIpBlock().getCidr() + ":"
                + r.getPorts().get(0).getPort().getIntVal())
                .containsExactly("127.0.0.1/32:" + gitPort, "127.0.0.1/32:" + registryPort);
        assertThat(policy.get().getSpec().getPodSelector().getMatchLabels())
                .containsEntry("berth.dev/build", Integer.toString(n));

        // Every write was Berth's own service account's, under deploy/rbac.yaml, and accepted.
        List<ControlPlane.Write> writes = ControlPlane.get().writes(began, w -> ns.equals(w.namespace())
                || ns.equals(w.name()) && "namespaces".equals(w.resource()));
        assertThat(writes).allSatisfy(w -> assertThat(w.code()).as(w.toString()).isLessThan(300));
        assertThat(writes).extracting(w -> w.verb() + " " + w.resource()).contains("create namespaces",
                "create resourcequotas", "create networkpolicies", "create secrets", "create jobs",
                "patch secrets", "patch networkpolicies", "delete secrets", "delete networkpolicies");
        // The fence stays; the build's Secret and policy are gone.
        assertThat(kube.resourceQuotas().inNamespace(ns).withName(BuildJobManifests.QUOTA).get()).isNotNull();
        assertThat(kube.network().v1().networkPolicies().inNamespace(ns).withName(BuildJobManifests.DEFAULT_DENY).get())
                .isNotNull();
        assertThat(kube.secrets().inNamespace(ns).withName(name).get()).isNull();
        assertThat(kube.network().v1().networkPolicies().inNamespace(ns).withName(name).get()).isNull();
        assertThat(kube.namespaces().withName(ns).get().getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "baseline");

        // A second build writes the fence again only if it drifted: here it did not.
        Instant second = Instant.now();
        GitRepos.commit(tenant + ".git", "Change", Map.of("README.md", "again\n"));
        int n2 = json().post(Api.app(tenant, "web") + "/builds").then().statusCode(201).extract().path("number");
        JsonPath b2 = await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(
                () -> json().get(Api.app(tenant, "web") + "/builds/" + n2).then().statusCode(200).extract().jsonPath(),
                r -> BuildState.of(r.getString("state")).finished());
        assertThat(b2.getString("state")).as(b2.getString("failureReason")).isEqualTo("succeeded");
        assertThat(ControlPlane.get().writes(second, w -> ns.equals(w.name()) && "namespaces".equals(w.resource())
                || ns.equals(w.namespace()) && List.of("resourcequotas", "networkpolicies").contains(w.resource())
                        && !w.name().startsWith("build-")))
                .isEmpty();
    }

    private static int manifestStatus(String repo, String digest) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + BuildInfra.registry() + "/v2/" + repo
                + "/manifests/" + digest)).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(BuildInfra.creds().getBytes()))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json, "
                        + "application/vnd.docker.distribution.manifest.v2+json")
                .build();
        return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
