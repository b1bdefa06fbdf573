package dev.berth.builds;

import dev.berth.api.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps Git and registry URLs from reaching Berth's own network (SSRF): only https, http, ssh and git URLs (and
 * scp-like {@code git@host:path}), and every address the host resolves to must be public: no loopback, link-local
 * (cloud metadata at 169.254.169.254), private, carrier-grade NAT, unique-local or multicast address, unless an
 * admin allow-listed the host. Checked when a source is saved and again right before each clone or push, since DNS
 * answers can change in between.
 */
@ApplicationScoped
public class UrlGuard {
    private static final Set<String> SCHEMES = Set.of("https", "http", "ssh", "git");
    private static final Pattern SCP_LIKE = Pattern.compile("^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+|\\[[0-9a-fA-F:]+\\]):(?!//)(.+)$");
    private static final Set<String> METADATA_HOSTS = Set.of("metadata.google.internal", "metadata", "instance-data");

    @Inject
    BuildsConfig config;

    /** Null when the URL may be used, else the reason, phrased for a person. */
    public String checkGitUrl(String url) {
        if (url == null || url.isBlank()) {
            return "is required";
        }
        if (url.length() > 500) {
            return "must be at most 500 characters long";
        }
        Matcher scp = SCP_LIKE.matcher(url);
        String host;
        if (scp.matches()) {
            host = scp.group(2);
        } else {
            URI uri;
            try {
                uri = new URI(url);
            } catch (Exception e) {
                return "must be a URL such as https://git.example.com/team/app.git or git@git.example.com:team/app.git";
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!SCHEMES.contains(scheme)) {
                return "must use https, ssh or git (not '" + (scheme.isEmpty() ? url : scheme) + "')";
            }
            if (uri.getRawUserInfo() != null && uri.getRawUserInfo().contains(":")) {
                return "must not contain a password; store it as the source's token instead";
            }
            host = uri.getHost();
            if (host == null || uri.getPath() == null || uri.getPath().length() < 2) {
                return "must name a host and a repository path";
            }
        }
        return checkHost(host);
    }

    /** Checks a registry host[:port]. */
    public String checkRegistryHost(String hostPort) {
        if (hostPort == null || hostPort.isBlank()) {
            return "is required";
        }
        String host = hostPort.startsWith("[") ? hostPort.substring(1, hostPort.indexOf(']'))
                : hostPort.contains(":") ? hostPort.substring(0, hostPort.indexOf(':')) : hostPort;
        return checkHost(host);
    }

    /**
     * Checks a URL Berth sends requests to on a tenant's behalf (a notification hook): http or https only, no user
     * or password in it, and a host that resolves to public addresses only (or is allow-listed).
     */
    public String checkCallbackUrl(String url) {
        if (url == null || url.isBlank()) {
            return "is required";
        }
        if (url.length() > 500) {
            return "must be at most 500 characters long";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            return "must be a URL such as https://ci.example.com/hooks/berth";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return "must use https or http (not '" + (scheme.isEmpty() ? url : scheme) + "')";
        }
        if (uri.getRawUserInfo() != null) {
            return "must not contain a user name or password; the receiver checks the signature instead";
        }
        if (uri.getHost() == null) {
            return "must name a host";
        }
        return checkHost(uri.getHost());
    }

    /** Throws a 400 naming {@code field} unless the Git URL may be used. */
    public void requireGitUrl(String field, String url) {
        String reason = checkGitUrl(url);
        if (reason != null) {
            throw ApiException.invalid(field, reason);
        }
    }

    String checkHost(String rawHost) {
        String host = rawHost.startsWith("[") && rawHost.endsWith("]") ? rawHost.substring(1, rawHost.length() - 1)
                : rawHost;
        host = host.toLowerCase(Locale.ROOT);
        if (allowed(host)) {
            return null;
        }
        if (METADATA_HOSTS.contains(host)) {
            return "must not point at a cloud metadata service";
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return "host '" + host + "' cannot be resolved";
        }
        for (InetAddress a : addresses) {
            String why = internal(a);
            if (why != null) {
                return "host '" + host + "' resolves to " + a.getHostAddress() + ", " + why
                        + "; an admin can allow it with berth.builds.allowed-hosts";
            }
        }
        return null;
    }

    private boolean allowed(String host) {
        List<String> list = config.allowedHosts().orElse(List.of());
        return list.stream().anyMatch(h -> h.equalsIgnoreCase(host));
    }

    /** Why an address is not public, or null when it is. */
    static String internal(InetAddress a) {
        if (a.isLoopbackAddress()) {
            return "a loopback address";
        }
        if (a.isLinkLocalAddress()) {
            return "a link-local address (cloud metadata lives there)";
        }
        if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
            return "not a unicast host address";
        }
        if (a.isSiteLocalAddress()) {
            return "a private address";
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 100 && second >= 64 && second <= 127) {
                return "a carrier-grade NAT address";
            }
            if (first == 0 || first >= 240) {
                return "a reserved address";
            }
        } else if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return "a unique-local address";
            }
            if (isMappedOrCompatible(b)) {
                try {
                    String v4 = internal(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
                    return v4 == null ? null : v4 + " (IPv4-mapped)";
                } catch (UnknownHostException e) {
                    return "an unusable address";
                }
            }
        }
        return null;
    }

    private static boolean isMappedOrCompatible(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0);
    }
}
