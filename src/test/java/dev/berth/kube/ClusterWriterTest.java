package dev.berth.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.apps.AppManifests;
import dev.berth.apps.AppSpec;
import dev.berth.regions.RegionCluster;
import dev.berth.testsupport.Fixtures;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The write path against the same in-process CRUD API server the sandbox region uses. */
class ClusterWriterTest {
    private KubernetesMockServer server;
    private KubernetesClient client;
    private WriteCounter counter;
    private ClusterWriter writer;

    @BeforeEach
    void start() {
        server = RegionCluster.startSandboxServer();
        client = server.createClient();
        counter = new WriteCounter(new SimpleMeterRegistry());
        writer = new ClusterWriter(client, "test", counter);
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    private static <T extends HasMetadata> T of(AppSpec app, Class<T> kind) {
        return AppManifests.desired(app, Fixtures.region()).stream().filter(kind::isInstance).map(kind::cast)
                .findFirst().orElseThrow();
    }

    private static AppSpec app(String image, int replicas, Map<String, String> secrets) {
        return new AppSpec("acme", "web", image, 8080, replicas, 100, 500, 1L << 27, 1L << 28, null, null,
                new TreeMap<>(Map.of("A", "1")), new TreeMap<>(secrets));
    }

    private <T extends HasMetadata> T fetch(T o) {
        return client.resource(o).get();
    }

    @Test
    void missingObjectIsCreatedAndAnUnchangedOneIsNotWrittenAgain() {
        Deployment d = of(app("web:1", 2, Map.of()), Deployment.class);
        assertThat(writer.apply(d, null)).isTrue();
        assertThat(writer.apply(d, fetch(d))).isFalse();
        assertThat(counter.total("test")).isEqualTo(1);
    }

    @Test
    void aSecondConvergenceBeforeTheWatchEventDoesNotWriteTheSameChangeAgain() {
        Deployment v1 = of(app("web:1", 1, Map.of()), Deployment.class);
        writer.apply(v1, null);
        Deployment cachedV1 = fetch(v1);
        Deployment v2 = of(app("web:2", 1, Map.of()), Deployment.class);
        long before = counter.total("test");

        assertThat(writer.apply(v2, cachedV1)).isTrue();
        // The watch cache still shows v1: the write's answer says v2 is there already.
        assertThat(writer.apply(v2, cachedV1)).as("the same patch again").isFalse();
        assertThat(counter.total("test") - before).isEqualTo(1);

        // Not yet seen by the cache and created: no second create either.
        Service svc = of(app("web:2", 1, Map.of()), Service.class);
        assertThat(writer.apply(svc, null)).isTrue();
        assertThat(writer.apply(svc, null)).as("the same create again").isFalse();

        // Once the cache has shown the objects (here: deleted by someone), it is the actual state again.
        client.resource(svc).delete();
        writer.seen(svc);
        assertThat(writer.apply(svc, null)).as("a deleted object is created again").isTrue();
        Deployment changedElsewhere = fetch(v1);
        changedElsewhere.getSpec().setReplicas(5);
        Deployment cachedLater = client.resource(changedElsewhere).update();
        assertThat(writer.apply(v2, cachedLater)).as("a newer cached copy is compared, and its drift repaired").isTrue();
        assertThat(fetch(v1).getSpec().getReplicas()).isEqualTo(1);
    }

    @Test
    void changedImageReplacesTheContainerInsteadOfAddingOne() {
        Deployment v1 = of(app("web:1", 1, Map.of()), Deployment.class);
        writer.apply(v1, null);
        Deployment v2 = of(app("web:2", 3, Map.of()), Deployment.class);

        assertThat(writer.apply(v2, fetch(v1))).isTrue();

        Deployment after = fetch(v1);
        assertThat(after.getSpec().getReplicas()).isEqualTo(3);
        assertThat(after.getSpec().getTemplate().getSpec().getContainers()).hasSize(1);
        assertThat(after.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("web:2");
        assertThat(DriftCheck.covers(v2, after)).isTrue();
        assertThat(writer.apply(v2, after)).isFalse();
    }

    @Test
    void secretKeyNoLongerWantedIsRemoved() {
        Secret both = of(app("web:1", 1, Map.of("KEEP", "k", "DROP", "d")), Secret.class);
        writer.apply(both, null);
        Secret one = of(app("web:1", 1, Map.of("KEEP", "k")), Secret.class);

        writer.apply(one, fetch(both));

        assertThat(fetch(both).getData()).containsOnlyKeys("KEEP");
        assertThat(writer.apply(one, fetch(both))).isFalse();
    }

    @Test
    void fieldsSetBySomeoneElseSurviveAPatch() {
        Deployment v1 = of(app("web:1", 1, Map.of()), Deployment.class);
        writer.apply(v1, null);
        client.resource(fetch(v1)).edit(d -> {
            d.getMetadata().getAnnotations().put("team/owner", "ops");
            return d;
        });
        writer.apply(of(app("web:2", 1, Map.of()), Deployment.class), fetch(v1));
        assertThat(fetch(v1).getMetadata().getAnnotations()).containsEntry("team/owner", "ops");
    }

    @Test
    void patchBasedOnAStaleCopyKeepsWhatOthersChangedMeanwhile() {
        Deployment v1 = of(app("web:1", 1, Map.of()), Deployment.class);
        writer.apply(v1, null);
        Deployment stale = fetch(v1);
        client.resource(fetch(v1)).edit(d -> {
            d.getMetadata().getAnnotations().put("team/owner", "ops");
            return d;
        });

        writer.apply(of(app("web:2", 1, Map.of()), Deployment.class), stale);

        Deployment after = fetch(v1);
        assertThat(after.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("web:2");
        assertThat(after.getMetadata().getAnnotations()).containsEntry("team/owner", "ops");
    }
}
