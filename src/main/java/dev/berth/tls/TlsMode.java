package dev.berth.tls;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where an app's certificates come from: the region's cert-manager issuer, or a certificate the tenant uploaded.
 * Stored and shown by {@link #value()}; the column's CHECK lists the same values.
 */
public enum TlsMode {
    CERT_MANAGER("cert-manager"), UPLOADED("uploaded");

    private final String value;

    TlsMode(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }

    /** The mode named {@code value}, or null when there is none of that name. */
    public static TlsMode of(String value) {
        for (TlsMode m : values()) {
            if (m.value.equals(value)) {
                return m;
            }
        }
        return null;
    }
}
