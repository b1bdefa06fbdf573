package dev.berth.builds.executors;

import dev.berth.builds.run.BuildFailure;
import dev.berth.builds.source.UrlGuard;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where one builder pod may connect: the Git host and the registry, each pinned to one address that Berth checked
 * right before the build (the pod resolves the name to it through {@code hostAliases}, so a DNS answer changed since
 * the source was saved cannot send the clone elsewhere), plus the operator's extra ranges. The builder Job's
 * NetworkPolicy allows exactly these (and cluster DNS); everything else is denied by the build namespace's
 * default-deny policy.
 */
record BuildEgress(List<Pin> pins, List<String> cidrs) {
    private static final Pattern SCP_LIKE = Pattern.compile("^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+|\\[[0-9a-fA-F:]+\\]):(?!//).+$");

    /** A host name (or IP literal) with the address it is pinned to and the TCP port used there. */
    record Pin(String host, String address, int port) {
        boolean literal() {
            return host.equals(address);
        }

        String cidr() {
            return address + (address.contains(":") ? "/128" : "/32");
        }
    }

    BuildEgress {
        pins = List.copyOf(pins);
        cidrs = List.copyOf(cidrs);
    }

    /**
     * Resolves and checks the Git host of {@code repoUrl} (a host resolving to an address the guard refuses, and not
     * allow-listed, fails the build before anything is sent to the cluster) and resolves the registry
     * {@code host[:port]}, which the operator configured (it may well be inside the cluster).
     */
    static BuildEgress of(UrlGuard guard, String repoUrl, String registry, boolean insecureRegistry, List<String> cidrs) {
        List<Pin> pins = new ArrayList<>();
        String[] git = gitHostPort(repoUrl);
        pins.add(pin(guard, "the Git URL", git[0], Integer.parseInt(git[1])));
        String[] reg = hostPort(registry, insecureRegistry ? 80 : 443);
        Pin r = pin(null, "the registry", reg[0], Integer.parseInt(reg[1]));
        if (!pins.contains(r)) {
            pins.add(r);
        }
        return new BuildEgress(pins, cidrs);
    }

    private static Pin pin(UrlGuard guard, String what, String host, int port) {
        String reason = guard == null ? null : guard.checkHost(host);
        if (reason != null) {
            throw new BuildFailure(what + " cannot be used: " + reason);
        }
        InetAddress address;
        try {
            address = InetAddress.getAllByName(host)[0];
        } catch (UnknownHostException e) {
            throw new BuildFailure(what + " cannot be used: host '" + host + "' cannot be resolved");
        }
        // The address pinned is the one checked: a DNS answer that changed since the check above cannot slip in.
        String connected = guard == null ? null : guard.policy().checkConnected(host, address);
        if (connected != null) {
            throw new BuildFailure(what + " cannot be used: " + connected);
        }
        String ip = address instanceof Inet6Address ? address.getHostAddress().replaceAll("%.*$", "")
                : address.getHostAddress();
        boolean literal = host.equals(ip) || host.equals("[" + ip + "]");
        return new Pin(literal ? ip : host.toLowerCase(Locale.ROOT), ip, port);
    }

    /** Host and port of a Git URL (https, http, ssh, git or scp-like), with each scheme's default port. */
    static String[] gitHostPort(String url) {
        Matcher scp = SCP_LIKE.matcher(url);
        if (scp.matches()) {
            return new String[] {unbracket(scp.group(1)), "22"};
        }
        URI uri = URI.create(url);
        int port = uri.getPort();
        if (port < 0) {
            port = switch (uri.getScheme().toLowerCase(Locale.ROOT)) {
                case "http" -> 80;
                case "ssh" -> 22;
                case "git" -> 9418;
                default -> 443;
            };
        }
        return new String[] {unbracket(uri.getHost()), Integer.toString(port)};
    }

    /** Host and port of {@code host[:port]} or {@code [v6]:port}. */
    static String[] hostPort(String hostPort, int defaultPort) {
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            String rest = hostPort.substring(end + 1);
            return new String[] {hostPort.substring(1, end),
                    rest.startsWith(":") ? rest.substring(1) : Integer.toString(defaultPort)};
        }
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 ? new String[] {hostPort, Integer.toString(defaultPort)}
                : new String[] {hostPort.substring(0, colon), hostPort.substring(colon + 1)};
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
