package dev.berth.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The read path of the resource metrics API on Fabric8's mock server (expectations mode, as metrics-server answers):
 * discovery of {@code metrics.k8s.io/v1beta1}, and a namespace's PodMetrics summed per pod over its containers.
 */
class MetricsApiReadTest {
    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void discoveryTellsAServedApiFromAMissingOne() {
        assertThat(MetricsApis.served(client)).as("404: not registered").isFalse();
        server.expect().get().withPath("/apis/metrics.k8s.io/v1beta1").andReturn(200, new APIResourceListBuilder()
                .withGroupVersion("metrics.k8s.io/v1beta1").withResources(new APIResourceBuilder().withName("nodes")
                        .withKind("NodeMetrics").build(), new APIResourceBuilder().withName("pods")
                        .withKind("PodMetrics").withNamespaced(true).build()).build()).once();
        assertThat(MetricsApis.served(client)).isTrue();
    }

    @Test
    void podMetricsAreSummedPerPodInMillicoresAndBytes() throws java.text.ParseException {
        server.expect().get().withPath("/apis/metrics.k8s.io/v1beta1/namespaces/berth-acme/pods")
                .andReturn(200, new PodMetricsListBuilder().withItems(
                        new PodMetricsBuilder().withNewMetadata().withName("web-abc").withNamespace("berth-acme")
                                .endMetadata().withTimestamp("2026-12-03T10:00:00Z").withWindow(io.fabric8.kubernetes.api.model.Duration.parse("30s"))
                                .addNewContainer().withName("app").withUsage(Map.of("cpu", new Quantity("153215498n"),
                                        "memory", new Quantity("81920Ki"))).endContainer()
                                .addNewContainer().withName("sidecar").withUsage(Map.of("cpu", new Quantity("2m"),
                                        "memory", new Quantity("1Mi"))).endContainer().build(),
                        new PodMetricsBuilder().withNewMetadata().withName("web-def").withNamespace("berth-acme")
                                .endMetadata().addNewContainer().withName("app").withUsage(Map.of("cpu",
                                        new Quantity("1"), "memory", new Quantity("256Mi"))).endContainer().build())
                        .build()).once();
        List<PodUsage> usage = MetricsApis.read(client, "berth-acme");
        assertThat(usage).containsExactly(
                new PodUsage("berth-acme", "web-abc", 155, 81920L * 1024 + (1L << 20)),
                new PodUsage("berth-acme", "web-def", 1000, 256L << 20));
    }
}
