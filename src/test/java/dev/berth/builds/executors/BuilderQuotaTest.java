package dev.berth.builds.executors;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.builds.BuildEndToEndTest;
import dev.berth.builds.BuildQueue;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.quotas.AppFootprint;
import dev.berth.quotas.QuotaService;
import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.GitRepos;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Builds whose builder runs as a pod (the Kubernetes Job executor) count that pod against the tenant's quota: a
 * build waits in the queue while the tenant's apps leave no room for it, starts when room appears, and fails with
 * the reason when the builder cannot fit at all. The builder's footprint is that of a 1 CPU / 1 Gi builder pod.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class BuilderQuotaTest {
    static final AppFootprint BUILDER = new AppFootprint(1, 1000, 1000, 1L << 30, 1L << 30, false);

    @Inject
    BuildQueue queue;
    @Inject
    QuotaService quotas;

    /** The executors as configured for Kubernetes Jobs, whose builds then run as usual on this machine. */
    static class KubernetesSizedExecutors extends BuildExecutors {
        @Override
        public AppFootprint builderFootprint() {
            return BUILDER;
        }
    }

    @Inject
    BuildsConfig config;
    @Inject
    LocalBuildahExecutor local;
    @Inject
    KubernetesJobExecutor kubernetes;

    @BeforeEach
    void podSizedBuilders() {
        KubernetesSizedExecutors sized = new KubernetesSizedExecutors();
        sized.config = config;
        sized.local = local;
        sized.kubernetes = kubernetes;
        QuarkusMock.installMockForType(sized, BuildExecutors.class);
    }

    private static String tenant(String cpu) {
        String slug = Api.uniqueSlug("bq");
        json().body(Map.of("slug", slug, "cpu", cpu, "memory", "4Gi", "pods", 10, "apps", 5)).post("/api/v1/tenants")
                .then().statusCode(201);
        GitRepos.commit(slug + ".git", "Readme only", Map.of("README.md", "hello\n"));
        return slug;
    }

    private static void appWithSource(String slug, String app, String cpu) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(Api.app(app));
        body.put("replicas", 1);
        body.put("resources", Map.of("cpuRequest", cpu, "cpuLimit", cpu, "memoryRequest", "128Mi", "memoryLimit", "128Mi"));
        Api.createApp(slug, body);
        json().body(Map.of("repoUrl", BuildInfra.gitUrl(slug + ".git"), "ref", "main"))
                .put(Api.app(slug, app) + "/source").then().statusCode(200);
    }

    private static String state(String slug, int number) {
        return json().get(Api.app(slug, "web") + "/builds/" + number).then().statusCode(200).extract().path("state");
    }

    @Test
    void aBuildWaitsForRoomForItsBuilderPodThenRunsWhenAppsShrink() {
        String slug = tenant("2");
        appWithSource(slug, "web", "1500m");
        int n = json().post(Api.app(slug, "web") + "/builds").then().statusCode(201).extract().path("number");
        queue.wake();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> state(slug, n).equals("queued"));
        assertThat(given().accept("text/plain").get(Api.app(slug, "web") + "/builds/" + n + "/log").asString())
                .contains("Waiting for room in the tenant's quota for the builder pod")
                .contains("cpuRequest");

        // The app shrinks: 0.5 + the builder's 1 CPU fit in 2 CPU, so the build starts.
        json().body(Map.of("resources", Map.of("cpuRequest", "500m", "cpuLimit", "500m", "memoryRequest", "128Mi",
                "memoryLimit", "128Mi"))).patch(Api.app(slug, "web")).then().statusCode(200);
        queue.wake();
        var done = BuildEndToEndTest.waitForBuild(slug, "web", n);
        assertThat(done.getString("failureReason")).contains("nothing to build"); // it really ran
        long tenantId = QuarkusTransaction.requiringNew().call(() -> Tenant.findBySlug(slug).id);
        assertThat(quotas.usage(tenantId).cpuRequestMillis()).as("the builder's CPU is freed when the build ends")
                .isEqualTo(500);
    }

    @Test
    void aBuilderLargerThanTheTenantsLimitFailsAtOnceNamingTheLimit() {
        String slug = tenant("500m");
        appWithSource(slug, "web", "100m");
        int n = json().post(Api.app(slug, "web") + "/builds").then().statusCode(201).extract().path("number");
        queue.wake();
        var done = BuildEndToEndTest.waitForBuild(slug, "web", n);
        assertThat(done.getString("state")).isEqualTo("failed");
        assertThat(done.getString("failureReason")).contains("does not fit in the tenant's quota at all")
                .contains("cpuRequest").contains("for the builder pod");
    }

    private String room(long tenantId) {
        return QuarkusTransaction.requiringNew().call(() -> quotas.builderRoom(tenantId, BUILDER));
    }

    @Test
    void aRunningBuildsBuilderCountsInTheTenantsUseUntilItEnds() {
        String slug = tenant("2");
        long tenantId = QuarkusTransaction.requiringNew().call(() -> Tenant.findBySlug(slug).id);
        QuarkusTransaction.requiringNew().run(() -> quotas.checkBuildStart(tenantId, "build-x", BUILDER));
        var used = quotas.usage(tenantId);
        assertThat(used.pods()).isEqualTo(1);
        assertThat(used.cpuRequestMillis()).isEqualTo(1000);
        assertThat(used.memoryLimitBytes()).isEqualTo(1L << 30);
        assertThat(room(tenantId)).isNull();
        QuarkusTransaction.requiringNew().run(() -> quotas.checkBuildStart(tenantId, "build-y", BUILDER));
        assertThat(room(tenantId)).contains("cpuRequest").contains("for the builder pod");
        quotas.buildFinished(tenantId, "build-x", Duration.ofSeconds(5));
        quotas.buildFinished(tenantId, "build-y", Duration.ofSeconds(5));
        assertThat(quotas.usage(tenantId).cpuRequestMillis()).isZero();
        assertThat(quotas.usage(tenantId).pods()).isZero();
    }
}
