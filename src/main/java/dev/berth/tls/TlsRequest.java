package dev.berth.tls;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An app's TLS as the API sets it.
 *
 * @param mode {@code cert-manager} (certificates from each region's ClusterIssuer) or {@code uploaded}
 * @param certificate with {@code uploaded}: the PEM certificate chain, the server certificate first; may be left
 *        out (with {@code key}) to keep the stored certificate while changing {@code sslRedirect}
 * @param key with {@code uploaded}: the PEM private key of the certificate, unencrypted; stored sealed, never shown
 * @param sslRedirect whether HTTP requests are redirected to HTTPS (default true)
 */
public record TlsRequest(
        @Schema(type = SchemaType.STRING, enumeration = {"cert-manager", "uploaded"}) String mode,
        String certificate, String key, Boolean sslRedirect) {
    @Override
    public String toString() {
        return "TlsRequest[mode=" + mode + ", sslRedirect=" + sslRedirect + "]";
    }
}
