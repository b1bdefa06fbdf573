package dev.berth.tls;

import java.time.Instant;
import java.util.List;

/**
 * An app's TLS as the API and the app page show it: the mode (null: HTTP only), the redirect, the uploaded
 * certificate's public facts (never the key), and per region the host, the Secret the Ingress names and the state
 * of its certificate.
 */
public record TlsView(String mode, boolean sslRedirect, Certificate certificate, List<RegionTls> regions,
        Long version) {

    /** An uploaded certificate: subject, issuer, DNS names and validity. */
    public record Certificate(String subject, String issuer, List<String> names, Instant notBefore,
            Instant notAfter) {
    }

    /**
     * One region: the host served there, whether HTTPS is on there ({@code https}), the Secret named in the
     * Ingress, the ClusterIssuer (cert-manager), and what is known of the certificate: from cert-manager's
     * {@code Certificate} (its Ready condition with reason and message, notAfter and renewal time) or from the
     * upload. {@code note} says why something is missing (no issuer in the region, cert-manager not installed,
     * not covered by the uploaded certificate, region not connected).
     */
    public record RegionTls(String region, String host, boolean https, String secretName, String issuer,
            Boolean ready, String reason, String message, Instant notAfter, Instant renewalTime, String note) {
    }
}
