package dev.berth.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Sealed values name their key, any key of the ring opens its values, the current key seals new ones, values of
 * the first format (no key id) still open, and a value of a key the ring lacks is refused naming that key.
 */
class SecretBoxTest {
    static final String OLD = "the-passphrase-of-2025-xyz";
    static final String NEW = "base64:" + Base64.getEncoder().encodeToString(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
        31, 32 });

    static SecretBox box(String key, String keys, String current) {
        return new SecretBox(KeyRing.of(Optional.ofNullable(key), Optional.ofNullable(keys),
                Optional.ofNullable(current)));
    }

    /** A value as SecretBox sealed it before key ids: AES-GCM under the passphrase's plain SHA-256. */
    static String sealedTheFirstWay(String passphrase, String plain) throws Exception {
        byte[] key = MessageDigest.getInstance("SHA-256").digest(passphrase.getBytes(StandardCharsets.UTF_8));
        byte[] iv = new byte[12];
        iv[0] = 7;
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        byte[] ct = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
        return "v1:" + Base64.getEncoder().encodeToString(ByteBuffer.allocate(12 + ct.length).put(iv).put(ct).array());
    }

    @Test
    void aValueSealedBeforeKeyIdsStillOpensWithItsPassphrase() throws Exception {
        String v1 = sealedTheFirstWay(OLD, "s3cret");
        assertThat(box(OLD, null, null).decrypt(v1)).isEqualTo("s3cret");
        // Also in a ring whose current key is another one, and whichever entry holds the passphrase.
        assertThat(box(null, "a=another-passphrase-1234,b=" + OLD + ",c=" + NEW, "c").decrypt(v1)).isEqualTo("s3cret");
        assertThatThrownBy(() -> box("some-other-passphrase", null, null).decrypt(v1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("v1");
        assertThat(SecretBox.keyIdOf(v1)).isEqualTo("v1");
    }

    @Test
    void newValuesNameTheCurrentKeyAndAStretchedKeyNotThePlainHash() throws Exception {
        SecretBox box = box(OLD, null, null);
        String sealed = box.encrypt("s3cret");
        assertThat(sealed).startsWith("v2:k0:");
        assertThat(SecretBox.keyIdOf(sealed)).isEqualTo("k0");
        assertThat(box.decrypt(sealed)).isEqualTo("s3cret");
        assertThat(box.encrypt("s3cret")).as("a fresh IV each time").isNotEqualTo(sealed);
        // The body does not open with the first format's key: the passphrase went through PBKDF2.
        String asV1 = "v1:" + sealed.substring("v2:k0:".length());
        assertThatThrownBy(() -> box.decrypt(asV1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rotatingAddsAKeyMakesItCurrentReSealsAndThenTheOldKeyCanGo() throws Exception {
        SecretBox before = box(OLD, null, null);
        String old = before.encrypt("db-password");
        String older = sealedTheFirstWay(OLD, "api-token");

        // 1. add the new key and make it current: old values still open, new ones are sealed with it.
        SecretBox during = box(OLD, "k1=" + NEW, "k1");
        assertThat(during.ring().ids()).containsExactly("k1", "k0");
        assertThat(during.decrypt(old)).isEqualTo("db-password");
        assertThat(during.encrypt("x")).startsWith("v2:k1:");
        assertThat(during.isCurrent(old)).isFalse();

        // 2. re-seal: every value is under k1, and re-sealing again changes nothing (idempotent).
        String resealed = during.reseal(old);
        String resealedOlder = during.reseal(older);
        assertThat(resealed).startsWith("v2:k1:");
        assertThat(resealedOlder).startsWith("v2:k1:");
        assertThat(during.reseal(resealed)).isSameAs(resealed);

        // 3. remove the old key: the re-sealed values open, a value left under k0 is refused naming k0.
        SecretBox after = box(null, "k1=" + NEW, null);
        assertThat(after.decrypt(resealed)).isEqualTo("db-password");
        assertThat(after.decrypt(resealedOlder)).isEqualTo("api-token");
        assertThatThrownBy(() -> after.decrypt(old)).isInstanceOf(SecretBox.UnknownKeyException.class)
                .hasMessageContaining("'k0'").hasMessageContaining("not in the key ring [k1]")
                .satisfies(e -> assertThat(((SecretBox.UnknownKeyException) e).keyId()).isEqualTo("k0"));
    }

    @Test
    void theKeyIdIsBoundToTheValue() {
        SecretBox box = box(OLD, "k1=" + NEW, "k1");
        String sealed = box.encrypt("s3cret");
        String relabelled = "v2:k0:" + sealed.substring("v2:k1:".length());
        assertThatThrownBy(() -> box.decrypt(relabelled)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'k0'");
        assertThatThrownBy(() -> box.decrypt("v2:k1:@@@")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> box.decrypt("plain")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aKeyRingThatCannotWorkIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> box(null, null, null)).hasMessageContaining("BERTH_SECRETS_KEY");
        assertThatThrownBy(() -> box("short", null, null)).hasMessageContaining("at least 16 characters");
        assertThatThrownBy(() -> box(OLD, "k1=" + NEW, null)).hasMessageContaining("BERTH_SECRETS_CURRENT");
        assertThatThrownBy(() -> box(OLD, "k1=" + NEW, "k9")).hasMessageContaining("'k9'");
        assertThatThrownBy(() -> box(OLD, "k0=" + NEW, "k0")).hasMessageContaining("given twice");
        assertThatThrownBy(() -> box(null, "K1=" + NEW, null)).hasMessageContaining("BERTH_SECRETS_KEYS");
        assertThatThrownBy(() -> box(null, "k1=base64:AAAA", null)).hasMessageContaining("32 bytes");
    }
}
