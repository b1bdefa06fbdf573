package dev.berth.secrets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys {@link SecretBox} seals and opens values with, as the operator configures them: {@code berth.secrets.keys}
 * ({@code BERTH_SECRETS_KEYS}), a comma-separated list of {@code id=secret}, and {@code berth.secrets.current}
 * ({@code BERTH_SECRETS_CURRENT}), the id that seals new values. A secret is either {@code base64:} and 32 random
 * bytes, used as the AES-256 key itself, or a passphrase of 16+ characters, stretched with PBKDF2-HMAC-SHA256
 * ({@value #ITERATIONS} iterations, salted with the key id). The single {@code berth.secrets.key}
 * ({@code BERTH_SECRETS_KEY}) of earlier versions is the key {@value #DEFAULT_ID}; values it sealed before key ids
 * existed ({@code v1:}, its passphrase's plain SHA-256 as key) still open.
 */
public final class KeyRing {
    public static final String DEFAULT_ID = "k0";
    static final int ITERATIONS = 310_000;
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    /**
     * One key: its id, the AES key, and (for passphrases) the key {@code v1:} values were sealed with. A passphrase's
     * stretching (about a second of CPU on a JVM that has just started) runs on a thread of its own from the moment
     * the ring is built, so start-up goes on meanwhile; the first seal or open waits for it if it has not finished.
     */
    static final class Key {
        private final String id;
        private final boolean passphrase;
        private final FutureTask<SecretKeySpec[]> specs;

        private Key(String id, boolean passphrase, Callable<SecretKeySpec[]> derive) {
            this.id = id;
            this.passphrase = passphrase;
            this.specs = new FutureTask<>(derive);
        }

        String id() {
            return id;
        }

        SecretKeySpec aes() {
            return specs()[0];
        }

        /** The key of {@code v1:} values, null for a key given as {@code base64:} (it never sealed any). */
        SecretKeySpec legacy() {
            return passphrase ? specs()[1] : null;
        }

        private SecretKeySpec[] specs() {
            specs.run(); // derives on this thread if the background one has not started yet; no-op once it has
            try {
                return specs.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while deriving secrets key '" + id + "'", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("secrets key '" + id + "' could not be derived", e.getCause());
            }
        }
    }

    private final Map<String, Key> keys;
    private final Key current;

    private KeyRing(Map<String, Key> keys, Key current) {
        this.keys = keys;
        this.current = current;
    }

    /**
     * Builds the ring from the configuration; refuses (with the setting to fix) no key, a malformed entry, an id
     * given twice, a short passphrase, and a current id that is not in the ring.
     */
    public static KeyRing of(Optional<String> key, Optional<String> keyList, Optional<String> currentId) {
        Map<String, String> secrets = new LinkedHashMap<>();
        key.filter(k -> !k.isBlank()).ifPresent(k -> secrets.put(DEFAULT_ID, k));
        for (String entry : keyList.map(s -> List.of(s.split(","))).orElse(List.of())) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String id = eq < 0 ? "" : entry.substring(0, eq).strip();
            if (!ID.matcher(id).matches()) {
                throw new IllegalStateException("berth.secrets.keys (BERTH_SECRETS_KEYS): each entry is id=secret with"
                        + " an id of lower-case letters, digits and '-' (at most 32)");
            }
            if (secrets.put(id, entry.substring(eq + 1).strip()) != null) {
                throw new IllegalStateException("berth.secrets.keys (BERTH_SECRETS_KEYS): the key id '" + id
                        + "' is given twice" + (DEFAULT_ID.equals(id) ? " (k0 is BERTH_SECRETS_KEY)" : ""));
            }
        }
        if (secrets.isEmpty()) {
            throw new IllegalStateException("no key to seal secrets with: set BERTH_SECRETS_KEY (16+ characters) or "
                    + "BERTH_SECRETS_KEYS (id=secret,...) with BERTH_SECRETS_CURRENT");
        }
        Map<String, Key> keys = new LinkedHashMap<>();
        secrets.forEach((id, secret) -> keys.put(id, key(id, secret)));
        String cur = currentId.filter(c -> !c.isBlank()).map(String::strip).orElse(null);
        if (cur == null) {
            if (keys.size() > 1) {
                throw new IllegalStateException("berth.secrets.current (BERTH_SECRETS_CURRENT) must name the key that "
                        + "seals new values, one of " + keys.keySet());
            }
            cur = keys.keySet().iterator().next();
        }
        if (!keys.containsKey(cur)) {
            throw new IllegalStateException("berth.secrets.current (BERTH_SECRETS_CURRENT) is '" + cur
                    + "', which is not in the key ring " + keys.keySet());
        }
        return new KeyRing(Map.copyOf(keys), keys.get(cur));
    }

    private static Key key(String id, String secret) {
        if (secret.startsWith("base64:")) {
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(secret.substring(7).strip());
            } catch (IllegalArgumentException e) {
                raw = new byte[0];
            }
            if (raw.length != 32) {
                throw new IllegalStateException("secrets key '" + id + "': base64: must hold exactly 32 bytes");
            }
            SecretKeySpec aes = new SecretKeySpec(raw, "AES");
            Key k = new Key(id, false, () -> new SecretKeySpec[] { aes });
            k.specs.run();
            return k;
        }
        if (secret.length() < 16) {
            throw new IllegalStateException("secrets key '" + id + "' must be at least 16 characters"
                    + (DEFAULT_ID.equals(id) ? " (berth.secrets.key, BERTH_SECRETS_KEY)" : ""));
        }
        Key k = new Key(id, true, () -> {
            byte[] stretched = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(new PBEKeySpec(
                    secret.toCharArray(), ("berth-secretbox:" + id).getBytes(StandardCharsets.UTF_8), ITERATIONS, 256))
                    .getEncoded();
            byte[] legacy = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return new SecretKeySpec[] { new SecretKeySpec(stretched, "AES"), new SecretKeySpec(legacy, "AES") };
        });
        Thread t = new Thread(k.specs, "secrets-key-" + id);
        t.setDaemon(true);
        t.start();
        return k;
    }

    Key current() {
        return current;
    }

    /** The key of an id, or null when the ring does not hold it. */
    Key get(String id) {
        return keys.get(id);
    }

    /** The keys that may have sealed values without a key id ({@code v1:}): those given as passphrases. */
    List<Key> legacy() {
        return keys.values().stream().filter(k -> k.legacy() != null).toList();
    }

    /** The ids of the ring, current first. */
    public List<String> ids() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(current.id()),
                keys.keySet().stream().filter(id -> !id.equals(current.id())).sorted()).toList();
    }

    public String currentId() {
        return current.id();
    }
}
