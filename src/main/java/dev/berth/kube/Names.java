package dev.berth.kube;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Name rules (DNS-1123 / DNS-1035, the way the API server checks them) and the derivation of Kubernetes object
 * names from validated Berth names. Object names are always derived here, never taken raw from users.
 */
public final class Names {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    public static final String NAMESPACE_PREFIX = "berth-";
    public static final int TENANT_MAX = 30;
    public static final int APP_MAX = 40;
    private static final Set<String> RESERVED_TENANTS = Set.of(
            "admin", "api", "berth", "default", "system", "kube", "kube-system", "kube-public", "kube-node-lease",
            "new", "q", "static", "www", "login", "logout", "regions", "tenants", "apps", "platform", "root");
    private static final Set<String> RESERVED_APPS = Set.of("new", "api", "berth", "kubernetes", "default");

    private Names() {
    }

    public static String namespace(String tenant) {
        return NAMESPACE_PREFIX + tenant;
    }

    /**
     * The namespace a tenant's builds run in (build region only). The {@code --} cannot occur in a tenant slug, so
     * no tenant's own namespace can ever have this name.
     */
    public static String buildNamespace(String tenant) {
        return NAMESPACE_PREFIX + tenant + "--builds";
    }

    /** Null when valid, else the reason, phrased for a person. */
    public static String checkTenantSlug(String slug) {
        return checkLabel(slug, 2, TENANT_MAX, RESERVED_TENANTS);
    }

    public static String checkAppName(String name) {
        String basic = checkLabel(name, 2, APP_MAX, RESERVED_APPS);
        if (basic == null && name.startsWith("berth-")) {
            return "must not start with 'berth-' (reserved for objects Berth creates)";
        }
        return basic;
    }

    private static String checkLabel(String value, int min, int max, Set<String> reserved) {
        if (value == null || value.isBlank()) {
            return "is required";
        }
        if (value.length() < min || value.length() > max) {
            return "must be " + min + " to " + max + " characters long";
        }
        if (!DNS_LABEL.matcher(value).matches()) {
            return "must consist of lower-case letters, digits and '-', start with a letter and end with a letter or digit";
        }
        if (value.contains("--")) {
            return "must not contain '--'";
        }
        if (reserved.contains(value)) {
            return "'" + value + "' is reserved";
        }
        return null;
    }

    /** A DNS host name (RFC 1123 subdomain) with at least two labels, each at most 63 characters. */
    public static String checkHostname(String host) {
        if (host == null || host.isBlank()) {
            return "is required";
        }
        if (host.length() > 253) {
            return "must be at most 253 characters long";
        }
        if (!DNS_SUBDOMAIN.matcher(host).matches() || !host.contains(".")) {
            return "must be a lower-case DNS name such as www.example.com";
        }
        for (String label : host.split("\\.")) {
            if (label.length() > 63) {
                return "each part between dots must be at most 63 characters long";
            }
        }
        return null;
    }

    public static boolean isDnsLabel(String value) {
        return value != null && value.length() <= 63 && DNS_LABEL.matcher(value).matches();
    }
}
