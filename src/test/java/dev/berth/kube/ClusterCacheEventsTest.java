package dev.berth.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.regions.RegionCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The events cache of a region holds the events of Berth's namespaces only, and never asks the API server for
 * the events of the whole cluster: it follows Berth's namespaces as they are created and deleted.
 */
class ClusterCacheEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private KubernetesMockServer server;
    private KubernetesClient admin;
    private KubernetesClient client;
    private ClusterCache cache;

    @BeforeEach
    void start() {
        server = RegionCluster.startSandboxServer();
        admin = server.createClient();
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        if (cache != null) {
            cache.close();
        }
        client.close();
        admin.close();
        server.destroy();
    }

    private void namespace(String name, boolean berths) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .withLabels(berths ? Map.of(Labels.MANAGED_BY, Labels.MANAGER) : Map.of("team", "platform"))
                .endMetadata().build()).create();
    }

    private void event(String namespace, String name) {
        admin.v1().events().inNamespace(namespace).resource(new EventBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).endMetadata().withReason("Scheduled").withType("Normal")
                .withNewInvolvedObject().withKind("Pod").withName("p").withNamespace(namespace).endInvolvedObject()
                .build()).create();
    }

    private List<String> cachedEvents() {
        return cache.list(Event.class).stream()
                .map(e -> e.getMetadata().getNamespace() + "/" + e.getMetadata().getName()).sorted().toList();
    }

    @Test
    void onlyTheEventsOfBerthsNamespacesAreCachedAndNoneOfTheWholeCluster() throws Exception {
        namespace("berth-acme", true);
        namespace("kube-system", false);
        event("berth-acme", "pulled");
        event("kube-system", "node-pressure");
        cache = new ClusterCache(client);
        cache.start();
        await().atMost(WAIT).until(() -> cache.synced() && cachedEvents().contains("berth-acme/pulled"));

        // A namespace Berth creates later is followed; events elsewhere keep not arriving.
        namespace("berth-later", true);
        event("kube-system", "evicted");
        event("berth-later", "created");
        event("berth-acme", "started");
        await().atMost(WAIT).untilAsserted(() -> assertThat(cachedEvents())
                .containsExactly("berth-acme/pulled", "berth-acme/started", "berth-later/created"));
        assertThat(cache.list(Event.class, "kube-system")).isEmpty();
        assertThat(cache.list(Event.class, "berth-acme")).hasSize(2);

        // A deleted namespace is let go: its events leave the cache with it.
        admin.namespaces().withName("berth-later").delete();
        await().atMost(WAIT).untilAsserted(() -> assertThat(cachedEvents())
                .containsExactly("berth-acme/pulled", "berth-acme/started"));

        List<String> eventRequests = new ArrayList<>();
        for (RecordedRequest r = server.takeRequest(1, TimeUnit.MILLISECONDS); r != null;
                r = server.takeRequest(1, TimeUnit.MILLISECONDS)) {
            if (r.getPath().contains("events") && !"POST".equals(r.getMethod())) {
                eventRequests.add(r.getPath());
            }
        }
        assertThat(eventRequests).as("requests for events").isNotEmpty()
                .allSatisfy(path -> assertThat(path).matches("/api/v1/namespaces/berth-(acme|later)/events.*"));
    }
}
