package dev.berth.it;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.kube.Names;
import dev.berth.metrics.MetricsApis;
import dev.berth.metrics.MetricsSampler;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.TestCertificates;
import dev.berth.tls.CertificateWatch;
import dev.berth.tls.TlsManifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * TLS and metrics on the real apiserver (v1.20), written by Berth under {@code deploy/rbac.yaml}: an uploaded
 * certificate's {@code kubernetes.io/tls} Secret and the Ingress's tls section are accepted; with a region issuer
 * the Ingress carries cert-manager's annotation, and the status of the Certificate that ingress-shim would keep
 * (here created by the test, on a Certificate CRD the test installs, since the cluster has no cert-manager) is read
 * through Berth's own watch; a cluster without the metrics API is reported as such.
 */
@QuarkusTest
@TestProfile(RealCluster.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class TlsAndMetricsIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    private final ControlPlane cp = ControlPlane.get();
    private final KubernetesClient kube = cp.admin();
    @Inject
    RegionClients clients;
    @Inject
    CertificateWatch certificates;
    @Inject
    MetricsSampler sampler;

    private static String tls(String slug) {
        return Api.app(slug, "web") + "/tls";
    }

    private List<String> writes(Instant since, String ns) {
        return cp.writes(since, ns).stream().map(w -> w.verb() + " " + w.resource() + "/" + w.name() + " " + w.code())
                .toList();
    }

    private Ingress ingress(String ns) {
        return kube.network().v1().ingresses().inNamespace(ns).withName("web").get();
    }

    @Test
    void anUploadedCertificatesSecretAndTheIngressTlsSectionAreAccepted() {
        String slug = Api.createTenant("tlsup");
        String ns = Names.namespace(slug);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        StrategiesIT.awaitRollout(slug, "succeeded");
        String host = json().get(tls(slug)).then().statusCode(200).extract().path("regions[0].host");
        TestCertificates.Issued cert = TestCertificates.selfSigned(List.of(host));
        Instant start = Instant.now();
        json().body(Map.of("mode", "uploaded", "certificate", cert.certificatePem(), "key", cert.keyPem()))
                .put(tls(slug)).then().log().ifValidationFails().statusCode(200);
        await().atMost(WAIT).untilAsserted(() -> {
            Secret s = kube.secrets().inNamespace(ns).withName("web-tls-uploaded").get();
            assertThat(s).isNotNull();
            assertThat(s.getType()).isEqualTo("kubernetes.io/tls");
            Ingress i = ingress(ns);
            assertThat(i).as("replaced: deleted, then created with TLS").isNotNull();
            assertThat(i.getSpec().getTls()).singleElement().satisfies(t -> {
                assertThat(t.getHosts()).containsExactly(host);
                assertThat(t.getSecretName()).isEqualTo("web-tls-uploaded");
            });
            assertThat(i.getMetadata().getAnnotations()).containsEntry(TlsManifests.SSL_REDIRECT, "true");
        });
        assertThat(writes(start, ns)).as("by Berth's own account").contains("create secrets/web-tls-uploaded 201",
                "delete ingresses/web 200", "create ingresses/web 201");

        Instant off = Instant.now();
        json().delete(tls(slug)).then().statusCode(204);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(kube.secrets().inNamespace(ns).withName("web-tls-uploaded").get()).isNull();
            assertThat(ingress(ns)).isNotNull();
            assertThat(ingress(ns).getSpec().getTls()).isEmpty();
        });
        assertThat(writes(off, ns)).contains("delete secrets/web-tls-uploaded 200");
    }

    @Test
    void certManagersAnnotationIsWrittenAndTheCertificatesStatusIsReadThroughBerthsWatch() {
        installCertificateCrd();
        json().body(Map.of("tlsIssuer", "letsencrypt-test")).put("/api/v1/regions/" + RealCluster.REGION).then()
                .log().ifValidationFails().statusCode(200);
        try {
            String slug = Api.createTenant("tlscm");
            String ns = Names.namespace(slug);
            Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
            StrategiesIT.awaitRollout(slug, "succeeded");
            json().body(Map.of("mode", "cert-manager")).put(tls(slug)).then().log().ifValidationFails()
                    .statusCode(200);
            await().atMost(WAIT).untilAsserted(() -> {
                Ingress i = ingress(ns);
                assertThat(i).as("replaced: deleted, then created with TLS").isNotNull();
                assertThat(i.getMetadata().getAnnotations()).containsEntry(TlsManifests.CLUSTER_ISSUER,
                        "letsencrypt-test");
                assertThat(i.getSpec().getTls()).singleElement()
                        .satisfies(t -> assertThat(t.getSecretName()).isEqualTo("web-tls"));
            });

            // What cert-manager's ingress-shim and its certificate controller would do.
            Ingress i = ingress(ns);
            GenericKubernetesResource c = kube.genericKubernetesResources("cert-manager.io/v1", "Certificate")
                    .inNamespace(ns).resource(new GenericKubernetesResourceBuilder().withApiVersion("cert-manager.io/v1")
                            .withKind("Certificate").withNewMetadata().withName("web-tls").withNamespace(ns)
                            .withLabels(new HashMap<>(i.getMetadata().getLabels()))
                            .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("networking.k8s.io/v1")
                                    .withKind("Ingress").withName("web").withUid(i.getMetadata().getUid())
                                    .withController(true).withBlockOwnerDeletion(true).build())
                            .endMetadata().withAdditionalProperties(Map.of("spec", Map.of("secretName", "web-tls",
                                    "dnsNames", i.getSpec().getTls().get(0).getHosts(),
                                    "issuerRef", Map.of("name", "letsencrypt-test", "kind", "ClusterIssuer"))))
                            .build()).create();
            Instant notAfter = Instant.now().plus(Duration.ofDays(90)).truncatedTo(ChronoUnit.SECONDS);
            c.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "Ready", "status", "True",
                    "reason", "Ready", "message", "Certificate is up to date and has not expired")),
                    "notAfter", notAfter.toString(), "renewalTime", notAfter.minus(Duration.ofDays(30)).toString()));
            kube.genericKubernetesResources("cert-manager.io/v1", "Certificate").inNamespace(ns).resource(c)
                    .updateStatus();

            await().atMost(WAIT).untilAsserted(() -> {
                RegionCluster cluster = clients.get(RealCluster.REGION).orElseThrow();
                certificates.detect(cluster);
                JsonPath view = json().get(tls(slug)).then().statusCode(200).extract().jsonPath();
                assertThat(view.getString("regions[0].issuer")).isEqualTo("letsencrypt-test");
                assertThat(view.getBoolean("regions[0].https")).isTrue();
                assertThat(view.getBoolean("regions[0].ready")).as(view.prettify()).isTrue();
                assertThat(view.getString("regions[0].notAfter")).isEqualTo(notAfter.toString());
                assertThat(view.getString("regions[0].message")).contains("up to date");
            });
        } finally {
            json().body(Map.of("tlsIssuer", "")).put("/api/v1/regions/" + RealCluster.REGION).then().statusCode(200);
        }
    }

    @Test
    void aRegionWithoutTheMetricsApiIsReportedAsSuch() {
        String slug = Api.createTenant("metrics");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        StrategiesIT.awaitRollout(slug, "succeeded");
        RegionCluster cluster = clients.get(RealCluster.REGION).orElseThrow();
        assertThat(sampler.sample(cluster, Instant.now())).as("nothing to sample").isZero();
        json().get(Api.app(slug, "web") + "/metrics").then().statusCode(200)
                .body("regions[0].region", org.hamcrest.Matchers.equalTo(RealCluster.REGION))
                .body("regions[0].metricsApi", org.hamcrest.Matchers.nullValue())
                .body("regions[0].note", org.hamcrest.Matchers.equalTo(MetricsApis.NO_API))
                .body("regions[0].points.size()", org.hamcrest.Matchers.equalTo(0));
    }

    /** A minimal cert-manager Certificate CRD (schema left open, status subresource), once per control plane. */
    private void installCertificateCrd() {
        if (kube.apiextensions().v1().customResourceDefinitions().withName("certificates.cert-manager.io")
                .get() != null) {
            return;
        }
        kube.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("certificates.cert-manager.io").endMetadata()
                .withNewSpec().withGroup("cert-manager.io").withScope("Namespaced")
                .withNewNames().withKind("Certificate").withListKind("CertificateList").withPlural("certificates")
                .withSingular("certificate").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object")
                .withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema()
                .withNewSubresources().withNewStatus().endStatus().endSubresources()
                .endVersion().endSpec().build()).create();
        await().atMost(WAIT).ignoreExceptions().until(() -> kube.getApiResources("cert-manager.io/v1") != null);
    }
}
