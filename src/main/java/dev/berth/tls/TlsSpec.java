package dev.berth.tls;

/**
 * An app's TLS as the reconciler needs it, with the uploaded key unsealed (it never leaves the reconciler).
 * {@code chainPem} and {@code keyPem} are set for {@link TlsMode#UPLOADED} only.
 */
public record TlsSpec(TlsMode mode, boolean sslRedirect, String chainPem, String keyPem) {
    @Override
    public String toString() {
        return "TlsSpec[" + mode.value() + ", sslRedirect=" + sslRedirect + "]";
    }
}
