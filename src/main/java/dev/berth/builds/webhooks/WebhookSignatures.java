package dev.berth.builds.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that a webhook delivery comes from the Git host that knows the app's secret. GitHub and Gitea/Forgejo
 * sign the raw body with HMAC-SHA256; GitLab sends the secret itself as a token header. Every comparison takes the
 * same time whatever the input, so a forger learns nothing from response times.
 */
public final class WebhookSignatures {
    private WebhookSignatures() {
    }

    public static String hmacHex(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** GitHub: {@code X-Hub-Signature-256: sha256=<hex>}. */
    public static boolean validGitHub(String secret, byte[] body, String header) {
        if (header == null || !header.startsWith("sha256=")) {
            return false;
        }
        return constantTimeEquals(hmacHex(secret, body), header.substring(7).toLowerCase(Locale.ROOT));
    }

    /** Gitea and Forgejo: {@code X-Gitea-Signature} / {@code X-Forgejo-Signature: <hex>}. */
    public static boolean validGitea(String secret, byte[] body, String header) {
        return header != null && constantTimeEquals(hmacHex(secret, body), header.trim().toLowerCase(Locale.ROOT));
    }

    /** GitLab: {@code X-Gitlab-Token: <secret>}. */
    public static boolean validGitLab(String secret, String header) {
        return header != null && constantTimeEquals(secret, header);
    }

    static boolean constantTimeEquals(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
