package dev.berth.secrets;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Encrypts secrets at rest (secret env values, repository credentials, webhook and hook secrets, kubeconfigs) with
 * AES-256-GCM from the JDK, under the operator's {@link KeyRing}. A sealed value names the key that sealed it:
 * {@code v2:<key id>:<base64 of IV and ciphertext>}, the prefix bound to the ciphertext as associated data, so a
 * value cannot be passed off as another key's. New values are sealed with the ring's current key; any key of the
 * ring opens its values, so keys rotate without downtime ({@code keyring.SecretRotation} re-seals what older keys
 * sealed). Values of the first format ({@code v1:}, no key id) still open with the passphrase keys. Values leave
 * this class only towards the cluster and outgoing requests, never to a page.
 */
@ApplicationScoped
public class SecretBox {
    private static final String V1 = "v1:";
    private static final String V2 = "v2:";
    private static final int IV_BYTES = 12;
    private final KeyRing ring;
    private final SecureRandom random = new SecureRandom();

    @jakarta.inject.Inject
    public SecretBox(@ConfigProperty(name = "berth.secrets.key") Optional<String> key,
            @ConfigProperty(name = "berth.secrets.keys") Optional<String> keys,
            @ConfigProperty(name = "berth.secrets.current") Optional<String> current) {
        this(KeyRing.of(key, keys, current));
    }

    public SecretBox(KeyRing ring) {
        this.ring = ring;
    }

    /** A value was sealed with a key the ring does not hold (removed too early, or another installation's). */
    public static final class UnknownKeyException extends IllegalStateException {
        private final String keyId;

        UnknownKeyException(String keyId, List<String> ring) {
            super("the value was sealed with the key '" + keyId + "', which is not in the key ring " + ring
                    + " (berth.secrets.keys): add that key again to open it");
            this.keyId = keyId;
        }

        public String keyId() {
            return keyId;
        }
    }

    /** A new random secret of {@code bytes} bytes as hex (webhook and notification signing secrets). */
    public String newSecret(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    public String encrypt(String plain) {
        KeyRing.Key key = ring.current();
        String prefix = V2 + key.id() + ":";
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key.aes(), new GCMParameterSpec(128, iv));
            cipher.updateAAD(prefix.getBytes(StandardCharsets.US_ASCII));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return prefix + Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length)
                    .put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    public String decrypt(String stored) {
        if (stored != null && stored.startsWith(V2)) {
            int colon = stored.indexOf(':', V2.length());
            if (colon < 0) {
                throw new IllegalArgumentException("not a sealed value");
            }
            String id = stored.substring(V2.length(), colon);
            KeyRing.Key key = ring.get(id);
            if (key == null) {
                throw new UnknownKeyException(id, ring.ids());
            }
            try {
                return open(key.aes(), stored.substring(0, colon + 1), stored.substring(colon + 1));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("decryption failed: the key '" + id + "' of the ring is not the key "
                        + "the value was sealed with", e);
            }
        }
        if (stored == null || !stored.startsWith(V1)) {
            throw new IllegalArgumentException("not a sealed value");
        }
        for (KeyRing.Key key : ring.legacy()) {
            try {
                return open(key.legacy(), null, stored.substring(V1.length()));
            } catch (GeneralSecurityException e) {
                // sealed with another passphrase of the ring: try the next one
            }
        }
        throw new IllegalStateException("decryption failed: a value sealed before key ids (v1) opens with the "
                + "passphrase that sealed it; none of the ring's passphrase keys " + ring.ids() + " does");
    }

    private static String open(SecretKeySpec key, String aad, String body) throws GeneralSecurityException {
        byte[] all;
        try {
            all = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a sealed value");
        }
        if (all.length < IV_BYTES + 16) {
            throw new IllegalArgumentException("not a sealed value");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, IV_BYTES));
        if (aad != null) {
            cipher.updateAAD(aad.getBytes(StandardCharsets.US_ASCII));
        }
        return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
    }

    /** The id of the key that sealed the value; {@code v1} for values of the first format, which name none. */
    public static String keyIdOf(String stored) {
        if (stored != null && stored.startsWith(V2)) {
            int colon = stored.indexOf(':', V2.length());
            return colon < 0 ? null : stored.substring(V2.length(), colon);
        }
        return stored != null && stored.startsWith(V1) ? "v1" : null;
    }

    /** Whether the ring's current key sealed the value (re-sealing it would change nothing). */
    public boolean isCurrent(String stored) {
        return stored != null && stored.startsWith(V2 + ring.currentId() + ":");
    }

    /** The value sealed with the current key: itself when it already is, else opened and sealed again. */
    public String reseal(String stored) {
        return isCurrent(stored) ? stored : encrypt(decrypt(stored));
    }

    public KeyRing ring() {
        return ring;
    }

    /** Builds the key ring at start-up, so a missing or malformed key stops Berth before it serves anything. */
    void checkAtStart(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent e) {
        ring.currentId();
    }
}
