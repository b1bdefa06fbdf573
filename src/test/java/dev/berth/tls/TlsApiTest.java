package dev.berth.tls;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import dev.berth.testsupport.TestCertificates;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The TLS sub-resource on the sandbox region: an uploaded certificate is checked, its key stored sealed and never
 * shown, and written as a kubernetes.io/tls Secret with the Ingress's tls section; the redirect can be switched
 * off; bad input is refused naming the field with nothing stored; cert-manager mode in a region without an issuer
 * says so; switching TLS off takes it off the Ingress.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class TlsApiTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    @Inject
    Sandbox sandbox;

    static String tls(String slug, String app) {
        return Api.app(slug, app) + "/tls";
    }

    static Map<String, Object> body(String mode, String certificate, String key, Boolean redirect) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("mode", mode);
        b.put("certificate", certificate);
        b.put("key", key);
        b.put("sslRedirect", redirect);
        b.values().removeIf(java.util.Objects::isNull);
        return b;
    }

    private Ingress ingress(String slug) {
        return sandbox.client().network().v1().ingresses().inNamespace(Names.namespace(slug)).withName("web").get();
    }

    @Test
    void anUploadedCertificateIsServedFromASecretAndItsKeyIsNeverShownAgain() {
        String slug = Api.createTenant("tlsup");
        Api.createApp(slug, Api.app("web"));
        String host = json().get(tls(slug, "web")).then().statusCode(200).body("mode", nullValue())
                .body("regions[0].https", equalTo(false)).extract().path("regions[0].host");
        TestCertificates.Issued cert = TestCertificates.selfSigned(List.of(host));

        String answer = json().body(body("uploaded", cert.certificatePem(), cert.keyPem(), null)).put(tls(slug, "web"))
                .then().log().ifValidationFails().statusCode(200).body("mode", equalTo("uploaded"))
                .body("sslRedirect", equalTo(true)).body("certificate.names[0]", equalTo(host))
                .body("certificate.subject", equalTo("CN=" + host)).body("regions[0].ready", equalTo(true))
                .body("regions[0].secretName", equalTo("web-tls-uploaded")).extract().asString();
        assertThat(answer).doesNotContain("PRIVATE KEY").doesNotContain("BEGIN CERTIFICATE");
        json().get(tls(slug, "web")).then().statusCode(200).body(not(containsString("PRIVATE KEY")));
        String sealed = QuarkusTransaction.requiringNew().call(() -> ((AppTls) AppTls.find(
                "appId = (select a.id from App a where a.name = 'web' and a.tenantId = "
                        + "(select t.id from Tenant t where t.slug = ?1))", slug).firstResult()).keySealed);
        assertThat(sealed).startsWith("v").doesNotContain("PRIVATE KEY");
        json().get(Api.app(slug, "web") + "/history").then().statusCode(200)
                .body("findAll { it.action == 'app.tls' }.size()", equalTo(1))
                .body(not(containsString("PRIVATE KEY")));

        String ns = Names.namespace(slug);
        await().atMost(WAIT).untilAsserted(() -> {
            Secret s = sandbox.client().secrets().inNamespace(ns).withName("web-tls-uploaded").get();
            assertThat(s).isNotNull();
            assertThat(s.getType()).isEqualTo("kubernetes.io/tls");
            assertThat(new String(Base64.getDecoder().decode(s.getData().get("tls.key")), StandardCharsets.UTF_8))
                    .isEqualTo(cert.keyPem());
            Ingress i = ingress(slug);
            assertThat(i.getSpec().getTls()).singleElement().satisfies(t -> {
                assertThat(t.getHosts()).containsExactly(host);
                assertThat(t.getSecretName()).isEqualTo("web-tls-uploaded");
            });
            assertThat(i.getMetadata().getAnnotations()).containsEntry(TlsManifests.SSL_REDIRECT, "true");
        });

        // A deploy plan sees the TLS objects as the reconciler writes them: only the image changes.
        io.restassured.path.json.JsonPath plan = json().body(Map.of("image", "registry.example.com/t/web:2"))
                .post(Api.app(slug, "web") + "/releases/plan").then().log().ifValidationFails().statusCode(200)
                .extract().jsonPath();
        assertThat(plan.getList("regions[0].delete")).isEmpty();
        assertThat(plan.getList("regions[0].create")).isEmpty();
        assertThat(plan.getList("regions[0].change.object")).containsExactly("Deployment/web");

        // The redirect is switched off without sending the certificate again.
        json().body(body("uploaded", null, null, false)).put(tls(slug, "web")).then().statusCode(200)
                .body("sslRedirect", equalTo(false)).body("certificate.names[0]", equalTo(host));
        await().atMost(WAIT).untilAsserted(() -> assertThat(ingress(slug).getMetadata().getAnnotations())
                .containsEntry(TlsManifests.SSL_REDIRECT, "false"));

        // Off: the Ingress is HTTP only again and the Secret goes.
        json().delete(tls(slug, "web")).then().statusCode(204);
        json().get(tls(slug, "web")).then().statusCode(200).body("mode", nullValue()).body("certificate", nullValue());
        await().atMost(WAIT).untilAsserted(() -> {
            Ingress i = ingress(slug);
            assertThat(i).isNotNull();
            assertThat(i.getSpec().getTls()).isEmpty();
            assertThat(i.getMetadata().getAnnotations() == null ? Map.of() : i.getMetadata().getAnnotations())
                    .doesNotContainKey(TlsManifests.SSL_REDIRECT).doesNotContainKey(TlsManifests.MODE);
            assertThat(sandbox.client().secrets().inNamespace(ns).withName("web-tls-uploaded").get()).isNull();
        });
        sandbox.settle();
        assertThat(sandbox.resyncWrites(slug)).as("a resync after the change writes nothing").isZero();
    }

    @Test
    void badInputIsRefusedNamingTheFieldAndNothingIsStored() {
        String slug = Api.createTenant("tlsbad");
        Api.createApp(slug, Api.app("web"));
        String host = json().get(tls(slug, "web")).then().extract().path("regions[0].host");
        TestCertificates.Issued good = TestCertificates.selfSigned(List.of(host));
        TestCertificates.Issued other = TestCertificates.selfSigned(List.of("elsewhere.example.com"));

        assertProblem(json().body(body(null, null, null, null)).put(tls(slug, "web")), 400, "mode");
        assertProblem(json().body(body("letsencrypt", null, null, null)).put(tls(slug, "web")), 400, "mode");
        assertProblem(json().body(body("cert-manager", good.certificatePem(), null, null)).put(tls(slug, "web")),
                400, "certificate");
        assertProblem(json().body(body("uploaded", null, null, null)).put(tls(slug, "web")), 400, "certificate");
        assertProblem(json().body(body("uploaded", other.certificatePem(), other.keyPem(), null))
                .put(tls(slug, "web")), 400, "certificate").body("detail", containsString(host));
        assertProblem(json().body(body("uploaded", good.certificatePem(), other.keyPem(), null))
                .put(tls(slug, "web")), 400, "key");
        assertProblem(json().body(body("uploaded", good.certificatePem(), "garbage", null)).put(tls(slug, "web")),
                400, "key");
        json().body(Map.of("mode", "uploaded", "certificate", 5)).put(tls(slug, "web")).then().statusCode(400);
        json().body(Map.of("mode", "cert-manager", "issuer", "x")).put(tls(slug, "web")).then().statusCode(400);
        json().body(body("cert-manager", null, null, null)).put(tls(slug, "nope")).then().statusCode(404);

        json().get(tls(slug, "web")).then().statusCode(200).body("mode", nullValue());
        json().get(Api.app(slug, "web") + "/history").then().statusCode(200)
                .body("findAll { it.action == 'app.tls' }.size()", equalTo(0));
        // The region's issuer is a ClusterIssuer name.
        assertProblem(json().body(Map.of("tlsIssuer", "Lets_Encrypt")).put("/api/v1/regions/" + Sandbox.REGION),
                400, "tlsIssuer");
        json().get("/api/v1/regions/" + Sandbox.REGION).then().statusCode(200).body("tlsIssuer", nullValue());
    }

    @Test
    void certManagerModeInARegionWithoutAnIssuerSaysSoAndLeavesTheIngressAlone() {
        String slug = Api.createTenant("tlscm");
        Api.createApp(slug, Api.app("web"));
        json().body(body("cert-manager", null, null, null)).put(tls(slug, "web")).then().log().ifValidationFails()
                .statusCode(200).body("mode", equalTo("cert-manager")).body("regions[0].https", equalTo(false))
                .body("regions[0].note", containsString("no certificate issuer in this region"));
        sandbox.settle();
        await().atMost(WAIT).untilAsserted(() -> assertThat(ingress(slug)).isNotNull());
        assertThat(ingress(slug).getSpec().getTls()).isEmpty();
        // If-Match with a stale version is a conflict.
        json().header("If-Match", "\"99\"").body(body("cert-manager", null, null, false)).put(tls(slug, "web"))
                .then().statusCode(409);
    }

    @Test
    void theAppPageShowsTheTlsCardAndTheTlsPageItsForm() {
        String slug = Api.createTenant("tlspage", "admin");
        Api.createApp(slug, Api.app("web"));
        dev.berth.testsupport.Users.actByCredentials();
        try {
            dev.berth.testsupport.Sessions admin = dev.berth.testsupport.Sessions.login("admin", "/t/" + slug
                    + "/apps/web");
            String page = "/t/" + slug + "/apps/web";
            admin.cookiesOnly().get(page).then().statusCode(200)
                    .body(containsString("data-refresh=\"" + page + "/tls/status\""))
                    .body(containsString("data-refresh=\"" + page + "/metrics/charts\""));
            admin.cookiesOnly().get(page + "/tls").then().statusCode(200)
                    .body(containsString("action=\"" + page + "/tls\""))
                    .body(containsString("name=\"key\""));
            admin.cookiesOnly().get(page + "/tls/status").then().statusCode(200)
                    .body(containsString("HTTP only"));
            admin.cookiesOnly().formParam("mode", "cert-manager").post(page + "/tls").then().statusCode(403);
            admin.cookiesOnly().formParam("csrf-token", admin.csrfToken()).formParam("mode", "uploaded")
                    .formParam("certificate", "not pem").formParam("key", "secret-key-text").post(page + "/tls")
                    .then().statusCode(400).body(containsString("certificate: must be a PEM certificate chain"))
                    .body(not(containsString("secret-key-text")));
            admin.cookiesOnly().formParam("csrf-token", admin.csrfToken()).formParam("mode", "cert-manager")
                    .formParam("sslRedirect", "true").post(page + "/tls").then().statusCode(303);
            admin.cookiesOnly().get(page + "/tls/status").then().statusCode(200)
                    .body(containsString("cert-manager issuer")).body(containsString("no certificate issuer"));
            admin.cookiesOnly().formParam("csrf-token", admin.csrfToken()).post(page + "/tls/remove").then()
                    .statusCode(303);
        } finally {
            dev.berth.testsupport.Users.actAsAdmin();
        }
        json().get(tls(slug, "web")).then().statusCode(200).body("mode", nullValue());
        json().get(Api.app(slug, "web") + "/history").then().statusCode(200)
                .body("findAll { it.action == 'app.tls' }.size()", equalTo(2));
    }
}
