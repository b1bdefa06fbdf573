package dev.berth.keyring;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.secrets.KeyRing;
import dev.berth.secrets.SecretBox;
import dev.berth.testsupport.Api;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Re-sealing the stored secrets on real PostgreSQL: after a new key became current, every sealed column (an app's
 * secret env, its release's copy, and values of the first, key-less format) ends up under the new key, a second
 * run finds nothing to do, a value no key of the ring opens is reported and left alone, and going back to the first
 * key works the same way. Platform admins see the key ids and counts, never key material.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class SecretRotationTest {
    static final String TEST_KEY = "local-development-key-not-for-production";
    static final String K1 = "base64:" + Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef"
            .getBytes(StandardCharsets.US_ASCII));
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    EntityManager em;
    @Inject
    SecretBox appBox;
    @Inject
    Resealing resealing;

    /**
     * No background run of this instance (one a test started through the API) re-seals to k0 while a test moves the
     * values to k1 and checks them.
     */
    @BeforeEach
    @AfterEach
    void noBackgroundRun() {
        await().atMost(Duration.ofSeconds(30)).until(() -> !resealing.running());
    }

    private SecretRotation rotation(String current) {
        SecretRotation r = new SecretRotation();
        r.em = em;
        r.box = new SecretBox(KeyRing.of(Optional.of(TEST_KEY), Optional.of("k1=" + K1), Optional.of(current)));
        return r;
    }

    /** A value as SecretBox sealed it before key ids: AES-GCM under the passphrase's plain SHA-256. */
    static String sealedTheFirstWay(String plain) throws Exception {
        byte[] key = MessageDigest.getInstance("SHA-256").digest(TEST_KEY.getBytes(StandardCharsets.UTF_8));
        byte[] iv = new byte[12];
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        byte[] ct = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
        return "v1:" + Base64.getEncoder().encodeToString(ByteBuffer.allocate(12 + ct.length).put(iv).put(ct).array());
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> secretEnv(long appId) throws Exception {
        String json = QuarkusTransaction.requiringNew().call(() -> (String) em.createNativeQuery(
                "select secret_env::text from app where id = :id").setParameter("id", appId).getSingleResult());
        return JSON.readValue(json, Map.class);
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> releaseSecretEnv(long appId) throws Exception {
        String json = QuarkusTransaction.requiringNew().call(() -> (String) em.createNativeQuery(
                "select (config->'secretEnv')::text from release where app_id = :id order by number limit 1")
                .setParameter("id", appId).getSingleResult());
        return JSON.readValue(json, Map.class);
    }

    @Test
    void resealingMovesEveryStoredSecretToTheCurrentKeyAndIsIdempotent() throws Exception {
        String slug = Api.createTenant("reseal");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1",
                "secretEnv", Map.of("DB_PASSWORD", "pw-1", "API_KEY", "key-1")));
        long appId = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select a.id from app a join tenant t on t.id = a.tenant_id where t.slug = :s and a.name = 'web'")
                .setParameter("s", slug).getSingleResult()).longValue());
        // One value as the first format stored it, and one of a key nobody has any more.
        String legacy = sealedTheFirstWay("legacy-1");
        String lost = new SecretBox(KeyRing.of(Optional.empty(), Optional.of("gone=" + K1), Optional.empty()))
                .encrypt("lost");
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update app set secret_env = secret_env || "
                + "cast(:v as jsonb) where id = :id").setParameter("v", "{\"LEGACY\": \"" + legacy + "\"}")
                .setParameter("id", appId).executeUpdate());
        String lostRow = "{\"LOST\": \"" + lost + "\"}";
        assertThat(secretEnv(appId).values()).allMatch(v -> v.startsWith("v2:k0:") || v.startsWith("v1:"));

        SecretRotation toK1 = rotation("k1");
        try {
            SecretRotation.Result first = toK1.resealAll();
            assertThat(first.failed()).isZero();
            assertThat(first.resealed()).isGreaterThanOrEqualTo(2); // the app and its release, at least
            Map<String, String> env = secretEnv(appId);
            assertThat(env.values()).allMatch(v -> v.startsWith("v2:k1:"));
            assertThat(releaseSecretEnv(appId).values()).allMatch(v -> v.startsWith("v2:k1:"));
            assertThat(toK1.box.decrypt(env.get("LEGACY"))).isEqualTo("legacy-1");
            assertThat(toK1.box.decrypt(env.get("DB_PASSWORD"))).isEqualTo("pw-1");
            // Berth itself, still on k0, may store a value of another test's work meanwhile: the census may show
            // k0 again, so the checks below are about this test's rows.
            assertThat(toK1.census()).containsKey("k1");
            Map<String, String> release = releaseSecretEnv(appId);

            SecretRotation.Result again = toK1.resealAll();
            assertThat(again.failed()).isZero();
            // Sealing draws a fresh nonce each time: values equal to the byte mean they were left alone.
            assertThat(secretEnv(appId)).as("nothing left to do for this app").isEqualTo(env);
            assertThat(releaseSecretEnv(appId)).as("nothing left to do for its release").isEqualTo(release);

            // A value of a key the ring lacks: reported with its key, left as it is; the others are done.
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update app set secret_env = "
                    + "secret_env || cast(:v as jsonb) where id = :id").setParameter("v", lostRow)
                    .setParameter("id", appId).executeUpdate());
            SecretRotation.Result withLost = toK1.resealAll();
            assertThat(withLost.failed()).isEqualTo(1);
            assertThat(withLost.errors()).singleElement().asString().contains("app.secret_env of row " + appId)
                    .contains("'gone'");
            assertThat(secretEnv(appId).get("LOST")).isEqualTo(lost);
            assertThat(toK1.census()).containsEntry("gone", 1L);
        } finally {
            // Back to the key the running Berth has (k0), which is the same run with k0 current.
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update app set secret_env = "
                    + "secret_env - 'LOST' where id = :id").setParameter("id", appId).executeUpdate());
            SecretRotation back = rotation("k0");
            SecretRotation.Result r = back.resealAll();
            assertThat(r.failed()).isZero();
            assertThat(back.census()).containsOnlyKeys("k0");
        }
        assertThat(appBox.decrypt(secretEnv(appId).get("API_KEY"))).isEqualTo("key-1");
    }

    @Test
    void anUploadedTlsKeyIsResealedToo() throws Exception {
        String slug = Api.createTenant("resealtls");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        String host = dev.berth.testsupport.Api.json().get(Api.app(slug, "web") + "/tls").then().statusCode(200)
                .extract().path("regions[0].host");
        dev.berth.testsupport.TestCertificates.Issued cert = dev.berth.testsupport.TestCertificates
                .selfSigned(java.util.List.of(host));
        dev.berth.testsupport.Api.json().body(Map.of("mode", "uploaded", "certificate", cert.certificatePem(),
                "key", cert.keyPem())).put(Api.app(slug, "web") + "/tls").then().statusCode(200);
        String query = "select t.key_sealed from app_tls t join app a on a.id = t.app_id join tenant n on "
                + "n.id = a.tenant_id where n.slug = :s";
        java.util.function.Supplier<String> sealed = () -> QuarkusTransaction.requiringNew().call(() ->
                (String) em.createNativeQuery(query).setParameter("s", slug).getSingleResult());
        assertThat(sealed.get()).startsWith("v2:k0:");
        SecretRotation toK1 = rotation("k1");
        try {
            assertThat(toK1.resealAll().failed()).isZero();
            assertThat(sealed.get()).startsWith("v2:k1:");
            assertThat(toK1.box.decrypt(sealed.get())).isEqualTo(cert.keyPem().strip() + "\n");
        } finally {
            assertThat(rotation("k0").resealAll().failed()).isZero();
        }
        assertThat(appBox.decrypt(sealed.get())).isEqualTo(cert.keyPem().strip() + "\n");
    }

    @Test
    void platformAdminsSeeTheKeyIdsAndCountsAndCanStartARun() {
        var view = json().get("/api/v1/secret-keys").then().statusCode(200).extract().jsonPath();
        assertThat(view.getString("currentKey")).isEqualTo("k0");
        assertThat(view.getList("keys")).containsExactly("k0");
        assertThat(view.getLong("remaining")).isZero();
        String body = json().post("/api/v1/secret-keys/reseal").then().statusCode(202).extract().asString();
        assertThat(body).doesNotContain(TEST_KEY);
    }

    @Test
    @TestSecurity(user = "alice")
    void othersAreRefused() {
        json().get("/api/v1/secret-keys").then().statusCode(403);
        json().post("/api/v1/secret-keys/reseal").then().statusCode(403);
    }
}
