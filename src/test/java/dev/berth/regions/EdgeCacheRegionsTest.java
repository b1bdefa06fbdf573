package dev.berth.regions;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.placement.EdgeCacheManifests;
import dev.berth.reconcile.RegionWorkers;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.MockRegions.MockRegion;
import dev.berth.testsupport.Users;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Edge-cache mode across independent API servers: the primary runs the app, every replica region runs nginx in
 * front of it, a purge through the API rolls only the edge configuration, and switching back to full mode
 * replaces the edge objects with the app.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class EdgeCacheRegionsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final MockRegions regions = new MockRegions();
    @Inject
    RegionWorkers workers;
    @Inject
    MeterRegistry meters;

    @AfterEach
    void cleanUp() {
        regions.close();
    }

    private static ConfigMap edgeConfig(MockRegion r, String slug) {
        return r.client().configMaps().inNamespace(Names.namespace(slug)).withName("web-edge").get();
    }

    private static String image(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    private static String configHash(MockRegion r, String slug) {
        Deployment d = ReplicationTest.deployment(r, slug, "web");
        return d.getSpec().getTemplate().getMetadata().getAnnotations().get(EdgeCacheManifests.CONFIG_HASH);
    }

    /** Writes Berth sent to the region, by "verb kind" (from the cluster write metric). */
    /**
     * Waits until every region's worker is idle and no region's write counters moved for half a second: the
     * simulated kubelet's status updates wake the reconcilers once more after the objects they wait for appear.
     */
    private void awaitNoMoreWrites() {
        AtomicReference<Map<String, Map<String, Double>>> last = new AtomicReference<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).during(Duration.ofMillis(500)).until(() -> {
            Map<String, Map<String, Double>> now = new TreeMap<>();
            regions.all().forEach(r -> {
                workers.awaitIdle(r.name());
                now.put(r.name(), writes(r.name()));
            });
            return now.equals(last.getAndSet(now));
        });
    }

    private Map<String, Double> writes(String region) {
        Map<String, Double> found = new TreeMap<>();
        for (Counter c : meters.find("berth.cluster.writes").tag("region", region).counters()) {
            found.merge(c.getId().getTag("verb") + " " + c.getId().getTag("kind"), c.count(), Double::sum);
        }
        return found;
    }

    private static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> d = new TreeMap<>();
        after.forEach((k, v) -> {
            double n = v - before.getOrDefault(k, 0.0);
            if (n != 0) {
                d.put(k, n);
            }
        });
        return d;
    }

    private static void assertStandardLabels(HasMetadata o, String slug) {
        assertThat(o.getMetadata().getLabels()).as(o.getKind() + " labels")
                .containsEntry(Labels.MANAGED_BY, Labels.MANAGER).containsEntry(Labels.TENANT, slug)
                .containsEntry(Labels.APP, "web").containsEntry(Labels.NAME, "web");
    }

    private static void awaitRolloutSucceeded(String slug) {
        await().ignoreExceptions().atMost(WAIT).until(() -> "succeeded".equals(json()
                .get(Api.app(slug, "web") + "/releases/rollout").then().statusCode(200).extract().path("state")));
    }

    @Test
    void aReleaseOfAnEdgeCachedAppFinishesWhenThePrimaryRunsItWhileTheEdgesKeepCaching() throws Exception {
        String slug = ReplicationTest.tenant(40);
        MockRegion primary = regions.register("ed-a", 50.1, 8.7, slug);
        MockRegion edge = regions.register("ed-b", 40.7, -74.0, slug);
        Api.createApp(slug, Api.app("web"));
        json().body(Map.of("primary", "ed-a", "replicas", List.of("ed-b"), "allRegions", false, "mode", "edge-cache"))
                .put(Api.app(slug, "web") + "/placement").then().statusCode(200);
        await().atMost(WAIT).until(() -> ReplicationTest.deployment(edge, slug, "web") != null
                && EdgeCacheManifests.IMAGE.equals(image(ReplicationTest.deployment(edge, slug, "web"))));
        awaitRolloutSucceeded(slug);

        json().body(Map.of("image", "registry.example.com/team/web:2.0")).patch(Api.app(slug, "web")).then()
                .statusCode(200);
        // The edge region runs nginx pods of no release: they must not hold the release's wave open.
        awaitRolloutSucceeded(slug);
        assertThat(image(ReplicationTest.deployment(primary, slug, "web"))).isEqualTo("registry.example.com/team/web:2.0");
        assertThat(image(ReplicationTest.deployment(edge, slug, "web"))).isEqualTo(EdgeCacheManifests.IMAGE);
    }

    @Test
    void replicaRegionsRunNginxInFrontOfThePrimaryPurgeRollsOnlyTheEdgeAndFullModeBringsTheAppBack()
            throws Exception {
        String slug = ReplicationTest.tenant(40);
        MockRegion primary = regions.register("ec-a", 50.1, 8.7, slug);
        MockRegion b = regions.register("ec-b", 40.7, -74.0, slug);
        MockRegion c = regions.register("ec-c", 35.7, 139.7, slug);
        Api.createApp(slug, Api.app("web"));
        json().body(Map.of("primary", "ec-a", "replicas", List.of("ec-b", "ec-c"), "allRegions", false,
                "mode", "edge-cache", "cacheRules", List.of(Map.of("pathPrefix", "/static/", "ttlSeconds", 600))))
                .put(Api.app(slug, "web") + "/placement").then().log().ifValidationFails().statusCode(200)
                .body("mode", equalTo("edge-cache")).body("cacheGeneration", equalTo(1));

        String origin = "web." + slug + ".ec-a.apps.test";
        for (MockRegion r : List.of(b, c)) {
            // A region's objects are applied one after the other: wait for the last of them, not only the first two.
            await().atMost(WAIT).until(() -> edgeConfig(r, slug) != null && ReplicationTest.deployment(r, slug, "web")
                    != null && EdgeCacheManifests.IMAGE.equals(image(ReplicationTest.deployment(r, slug, "web")))
                    && r.client().services().inNamespace(Names.namespace(slug)).withName("web").get() != null
                    && r.client().network().v1().ingresses().inNamespace(Names.namespace(slug)).withName("web")
                            .get() != null);
            ConfigMap cm = edgeConfig(r, slug);
            String conf = cm.getData().get("nginx.conf");
            assertThat(conf).contains("upstream origin { server " + origin + ":80;", "proxy_set_header Host " + origin,
                    "proxy_cache_key \"g1 ", "location /static/ {", "proxy_cache_valid 200 203 301 302 404 600s;");
            Deployment d = ReplicationTest.deployment(r, slug, "web");
            assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry(EdgeCacheManifests.CONFIG_HASH, EdgeCacheManifests.hash(conf));
            assertThat(d.getSpec().getTemplate().getSpec().getContainers()).hasSize(1);
            assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).anyMatch(v -> v.getConfigMap() != null
                    && "web-edge".equals(v.getConfigMap().getName()));
            assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                    .as("nothing of the app's own container").isNullOrEmpty();
            var svc = r.client().services().inNamespace(Names.namespace(slug)).withName("web").get();
            var ing = r.client().network().v1().ingresses().inNamespace(Names.namespace(slug)).withName("web").get();
            assertThat(ing.getSpec().getRules().get(0).getHost()).isEqualTo("web." + slug + "." + r.name()
                    + ".apps.test");
            for (HasMetadata o : List.of(cm, d, svc, ing)) {
                assertStandardLabels(o, slug);
            }
        }
        await().atMost(WAIT).until(() -> ReplicationTest.deployment(primary, slug, "web") != null);
        assertThat(image(ReplicationTest.deployment(primary, slug, "web")))
                .as("the primary runs the app itself").isEqualTo("registry.example.com/team/web:1.0");
        assertThat(edgeConfig(primary, slug)).as("no edge cache in the primary").isNull();

        // Let every region settle (the simulated kubelet's status updates wake the reconcilers once more).
        awaitNoMoreWrites();
        Map<String, Map<String, Double>> before = new TreeMap<>();
        regions.all().forEach(r -> before.put(r.name(), writes(r.name())));
        String hashB = configHash(b, slug);

        // A viewer may not purge; the refusal is in the audit log too.
        Api.putMember(slug, "edge-viewer", "viewer");
        Users.actAs("edge-viewer");
        json().post(Api.app(slug, "web") + "/placement/purge").then().statusCode(403);
        Users.actAsAdmin();
        json().get(Api.app(slug, "web") + "/placement").then().body("cacheGeneration", equalTo(1));

        json().post(Api.app(slug, "web") + "/placement/purge").then().log().ifValidationFails().statusCode(200)
                .body("cacheGeneration", equalTo(2));
        for (MockRegion r : List.of(b, c)) {
            await().atMost(WAIT).until(() -> edgeConfig(r, slug).getData().get("nginx.conf").contains("\"g2 ")
                    && !hashB.equals(configHash(r, slug)));
            assertThat(configHash(r, slug)).isEqualTo(EdgeCacheManifests.hash(edgeConfig(r, slug).getData()
                    .get("nginx.conf")));
        }
        awaitNoMoreWrites();
        for (MockRegion r : List.of(b, c)) {
            assertThat(delta(before.get(r.name()), writes(r.name()))).as("writes in " + r.name())
                    .isEqualTo(Map.of("patch ConfigMap", 1.0, "patch Deployment", 1.0));
        }
        assertThat(delta(before.get("ec-a"), writes("ec-a"))).as("nothing written in the primary").isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> json().get("/api/v1/tenants/" + slug
                + "/audit?app=web").then().statusCode(200).body("action", hasItem("app.cache-purge"))
                .body("find { it.action == 'app.cache-purge' && it.result == 'ok' }.actor", equalTo("admin"))
                .body("find { it.actor == 'edge-viewer' }.result", equalTo("denied")));

        // Back to full mode: the replicas run the app again and the edge configuration leaves them.
        json().body(Map.of("mode", "full")).put(Api.app(slug, "web") + "/placement").then().statusCode(200)
                .body("mode", equalTo("full"));
        for (MockRegion r : List.of(b, c)) {
            // The Deployment is replaced, so for a moment there is none.
            await().atMost(WAIT).until(() -> edgeConfig(r, slug) == null && ReplicationTest.deployment(r, slug, "web")
                    != null && "registry.example.com/team/web:1.0".equals(image(ReplicationTest.deployment(r, slug,
                    "web"))));
            Deployment d = ReplicationTest.deployment(r, slug, "web");
            assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                    .doesNotContainKey(EdgeCacheManifests.CONFIG_HASH);
            assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).as("replaced, not patched")
                    .isNullOrEmpty();
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).doesNotContainKey(Labels.TRACK);
            assertStandardLabels(d, slug);
        }
    }
}
