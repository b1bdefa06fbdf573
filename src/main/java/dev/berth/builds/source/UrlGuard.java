package dev.berth.builds.source;

import dev.berth.api.ApiException;
import dev.berth.builds.run.BuildsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps Git and registry URLs from reaching Berth's own network (SSRF): only https, http, ssh and git URLs (and
 * scp-like {@code git@host:path}), and the host must be public ({@link HostPolicy}): IP literals in every form and
 * every address a name resolves to, no loopback, link-local (cloud metadata at 169.254.169.254), private,
 * carrier-grade NAT, unique-local or multicast address, also not inside an IPv6 address, unless an admin
 * allow-listed the host. Checked when a source is saved, right before each clone or push, and by the clone for each
 * connection it opens ({@link GitConnection}), since DNS answers can change in between.
 */
@ApplicationScoped
public class UrlGuard {
    private static final Set<String> SCHEMES = Set.of("https", "http", "ssh", "git");
    private static final Pattern SCP_LIKE = Pattern.compile("^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+|\\[[0-9a-fA-F:]+\\]):(?!//)(.+)$");

    private final BuildsConfig config;

    @Inject
    public UrlGuard(BuildsConfig config) {
        this.config = config;
    }

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

    public String checkHost(String rawHost) {
        return policy().check(rawHost);
    }

    /** The host rules with the allow-list as configured now, for checks at connect time. */
    public HostPolicy policy() {
        return new HostPolicy(config.allowedHosts().orElse(List.of()), HostPolicy.DNS);
    }

    /** Why an address is not public, or null when it is; see {@link AddressRules#internal}. */
    public static String internal(InetAddress a) {
        return AddressRules.internal(a);
    }
}
