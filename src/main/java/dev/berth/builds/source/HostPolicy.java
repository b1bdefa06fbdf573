package dev.berth.builds.source;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether Berth may connect to a host on a tenant's behalf: allow-listed hosts always, metadata service
 * names never, IP literals (in every form, see {@link AddressRules}) and every address a name resolves to only when
 * public. Used when a URL is saved, right before a build, and again for each connection a clone opens (every
 * redirect hop, and the address an SSH connection really goes to), since a DNS answer can change in between.
 */
public final class HostPolicy {
    private static final Set<String> METADATA_HOSTS = Set.of("metadata.google.internal", "metadata", "instance-data");

    /** Resolves a host name; tests stand in a changing DNS answer here. */
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public static final Resolver DNS = InetAddress::getAllByName;

    private final Set<String> allowed = new HashSet<>();
    private final Resolver resolver;

    public HostPolicy(List<String> allowedHosts, Resolver resolver) {
        this.resolver = resolver;
        for (String h : allowedHosts) {
            if (h == null || h.isBlank()) {
                continue;
            }
            String host = AddressRules.normalHost(h);
            allowed.add(host);
            AddressRules.literal(host).ifPresent(a -> allowed.add(a.getHostAddress()));
        }
    }

    /** Whether an admin allow-listed the host (by name, or as the same address in another notation). */
    boolean allowed(String rawHost) {
        String host = AddressRules.normalHost(rawHost);
        if (allowed.contains(host)) {
            return true;
        }
        Optional<InetAddress> literal = AddressRules.literal(host);
        return literal.isPresent() && allowed.contains(literal.get().getHostAddress());
    }

    /** Null when Berth may connect to the host, else the reason, phrased for a person. */
    String check(String rawHost) {
        String host = AddressRules.normalHost(rawHost);
        if (allowed(host)) {
            return null;
        }
        if (METADATA_HOSTS.contains(host)) {
            return "must not point at a cloud metadata service";
        }
        Optional<InetAddress> literal = AddressRules.literal(host);
        if (literal.isPresent()) {
            String why = AddressRules.internal(literal.get());
            if (why != null) {
                return "host '" + host + "' is " + literal.get().getHostAddress() + ", " + why + hint();
            }
        }
        InetAddress[] addresses;
        try {
            // Resolved as clients read it too (Java takes 0177.0.0.1 as 177.0.0.1): both readings must be public.
            addresses = resolver.resolve(unbracketed(rawHost));
        } catch (UnknownHostException e) {
            return literal.isPresent() ? null : "host '" + host + "' cannot be resolved";
        }
        for (InetAddress a : addresses) {
            String why = AddressRules.internal(a);
            if (why != null) {
                return "host '" + host + "' resolves to " + a.getHostAddress() + ", " + why + hint();
            }
        }
        return null;
    }

    /** Null when a connection to {@code host} may go to {@code address}, the address it really connects to. */
    public String checkConnected(String host, InetAddress address) {
        if (allowed(host)) {
            return null;
        }
        String why = AddressRules.internal(address);
        return why == null ? null : "host '" + AddressRules.normalHost(host) + "' resolved to "
                + address.getHostAddress() + " when connecting, " + why + hint();
    }

    private static String unbracketed(String host) {
        String h = host.trim();
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    private static String hint() {
        return "; an admin can allow it with berth.builds.allowed-hosts";
    }
}
