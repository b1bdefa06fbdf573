package dev.berth.apps;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.audit.AuditEvent;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import io.fabric8.kubernetes.api.model.Secret;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class SecretEnvTest {
    private static final String FIRST = "first-Secret-value-7f3a";
    private static final String ROTATED = "rotated-Secret-value-91bc";
    @Inject
    Sandbox sandbox;

    private Secret secret(String slug) {
        return sandbox.client().secrets().inNamespace("berth-" + slug).withName("web-env").get();
    }

    private static String decoded(Secret s, String key) {
        assertThat(s).as("the app's Secret (written by the reconciler after the request returns)").isNotNull();
        return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }

    @Test
    void secretValuesReachTheClusterSecretButNeverAnApiResponseOrTheAuditLog() {
        String slug = Api.createTenant("sec");
        String created = json().body(Map.of("name", "web", "image", "registry.example.com/t/web:1",
                "secretEnv", Map.of("DB_PASSWORD", FIRST))).post(Api.apps(slug)).then().statusCode(201)
                .extract().asString();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(decoded(secret(slug), "DB_PASSWORD")).isEqualTo(FIRST));

        String patched = json().body(Map.of("secretEnv", Map.of("DB_PASSWORD", ROTATED, "API_KEY", FIRST)))
                .patch(Api.app(slug, "web")).then().statusCode(200).extract().asString();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(decoded(secret(slug), "DB_PASSWORD")).isEqualTo(ROTATED);
            assertThat(decoded(secret(slug), "API_KEY")).isEqualTo(FIRST);
        });

        List<String> responses = List.of(created, patched,
                json().get(Api.app(slug, "web")).asString(),
                json().get(Api.app(slug, "web") + "/history").asString(),
                json().get("/api/v1/tenants/" + slug + "/audit").asString());
        for (String body : responses) {
            assertThat(body).contains("DB_PASSWORD").doesNotContain(FIRST).doesNotContain(ROTATED);
        }
        // The app list shows no configuration at all, so no secret can leak there either.
        assertThat(json().get(Api.apps(slug)).asString()).contains("\"web\"").doesNotContain(FIRST)
                .doesNotContain(ROTATED);
        List<AuditEvent> audit = QuarkusTransaction.requiringNew().call(() ->
                AuditEvent.<AuditEvent>list("tenantSlug", slug));
        assertThat(audit).isNotEmpty();
        for (AuditEvent e : audit) {
            assertThat(e.summary + " " + e.changes).doesNotContain(FIRST).doesNotContain(ROTATED);
        }
        String deployment = io.fabric8.kubernetes.client.utils.Serialization.asJson(sandbox.client().apps()
                .deployments().inNamespace("berth-" + slug).withName("web").get());
        assertThat(deployment).doesNotContain(FIRST).doesNotContain(ROTATED);
    }

    @Test
    void secretValuesAreStoredSealedInTheDatabase() {
        String slug = Api.createTenant("seal");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1",
                "secretEnv", Map.of("TOKEN", FIRST)));
        App app = QuarkusTransaction.requiringNew().call(() -> App.<App>find("name = ?1 and tenantId = "
                + "(select t.id from Tenant t where t.slug = ?2)", "web", slug).firstResult());
        assertThat(app.secretEnv.get("TOKEN")).startsWith("v2:k0:").doesNotContain(FIRST);
    }

    @Test
    void removingASecretRemovesItFromTheClusterSecret() {
        String slug = Api.createTenant("secrm");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1",
                "secretEnv", Map.of("KEEP", "k", "DROP", "d")));
        await().atMost(Duration.ofSeconds(10)).until(() -> secret(slug) != null);

        json().body(Map.of("removeSecretEnv", List.of("DROP"))).patch(Api.app(slug, "web")).then().statusCode(200);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(secret(slug).getData()).containsOnlyKeys("KEEP"));
    }
}
