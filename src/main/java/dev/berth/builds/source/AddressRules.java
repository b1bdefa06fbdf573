package dev.berth.builds.source;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which addresses Berth must not send requests to on a tenant's behalf, and how to read a host that is an IP
 * literal in any of the forms resolvers accept. Pure functions, so every form is unit tested.
 *
 * <p>IPv4 literals are read as {@code inet_aton} (and so glibc's {@code getaddrinfo}, curl and git) reads them:
 * one to four parts, each decimal, octal (leading {@code 0}) or hex ({@code 0x}), the last part filling the
 * remaining bytes: {@code 0177.0.0.1}, {@code 0x7f.1}, {@code 127.1} and {@code 2130706433} are all 127.0.0.1.
 * Java reads some of these differently (it takes {@code 0177} as decimal), which is why callers check both
 * readings. Guava parses IPv6 and unpacks the IPv4 addresses that compatible, 6to4 and Teredo addresses carry;
 * it has no {@code inet_aton} reading and no NAT64, so those two are written here.
 */
final class AddressRules {
    private static final byte[] NAT64_WELL_KNOWN = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final byte[] NAT64_LOCAL_USE = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 1};

    private AddressRules() {
    }

    /** The host without brackets, in lower case and without a trailing dot (which names the same host). */
    static String normalHost(String host) {
        String h = host.trim();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        while (h.endsWith(".") && h.length() > 1) {
            h = h.substring(0, h.length() - 1);
        }
        return h.toLowerCase(Locale.ROOT);
    }

    /** The address a host names when it is an IP literal in any accepted form; empty for a DNS name. */
    static Optional<InetAddress> literal(String normalHost) {
        if (normalHost.contains(":")) {
            String h = normalHost.contains("%") ? normalHost.substring(0, normalHost.indexOf('%')) : normalHost;
            return InetAddresses.isInetAddress(h) ? Optional.of(InetAddresses.forString(h)) : Optional.empty();
        }
        return inetAton(normalHost).map(AddressRules::ipv4);
    }

    /** {@code inet_aton}'s reading of a host, or empty when it is not an IPv4 literal there. */
    static Optional<Long> inetAton(String host) {
        if (host.isEmpty() || host.endsWith(".")) {
            return Optional.empty();
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length > 4) {
            return Optional.empty();
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Long v = number(parts[i]);
            if (v == null) {
                return Optional.empty();
            }
            values[i] = v;
        }
        long result = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (values[i] > 0xff) {
                return Optional.empty();
            }
            result |= values[i] << (8 * (3 - i));
        }
        long last = values[parts.length - 1];
        if (last >= 1L << (8 * (5 - parts.length))) {
            return Optional.empty();
        }
        return Optional.of(result | last);
    }

    private static Long number(String part) {
        try {
            if (part.startsWith("0x")) {
                return part.length() == 2 || part.length() > 10 ? null : Long.parseLong(part.substring(2), 16);
            }
            if (part.isEmpty() || part.length() > 12 || !part.chars().allMatch(Character::isDigit)) {
                return null;
            }
            return part.length() > 1 && part.startsWith("0") ? Long.parseLong(part, 8) : Long.parseLong(part);
        } catch (NumberFormatException e) {
            return null; // 08, 09: not octal, so not an address for inet_aton either
        }
    }

    private static InetAddress ipv4(long value) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16),
                    (byte) (value >>> 8), (byte) value});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Why an address is not a public one, or null when it is. IPv4 addresses inside IPv6 ones count as IPv4. */
    static String internal(InetAddress a) {
        String why = own(a);
        if (why != null) {
            return why;
        }
        for (Embedded e : embedded(a)) {
            String inner = own(e.address());
            if (inner != null) {
                return inner + " (" + e.address().getHostAddress() + ", embedded in " + e.kind() + ")";
            }
        }
        return null;
    }

    private record Embedded(String kind, Inet4Address address) {
    }

    private static List<Embedded> embedded(InetAddress a) {
        List<Embedded> list = new ArrayList<>();
        if (!(a instanceof Inet6Address v6)) {
            return list;
        }
        byte[] b = v6.getAddress();
        if (startsWith(b, NAT64_WELL_KNOWN) || startsWith(b, NAT64_LOCAL_USE)) {
            list.add(new Embedded("a NAT64 address", (Inet4Address) ipv4(last4(b))));
        }
        if (zeros(b, 10) && ((b[10] == 0 && b[11] == 0) || (b[10] == (byte) 0xff && b[11] == (byte) 0xff))) {
            list.add(new Embedded(b[10] == 0 ? "an IPv4-compatible address" : "an IPv4-mapped address",
                    (Inet4Address) ipv4(last4(b))));
        }
        if (InetAddresses.is6to4Address(v6)) {
            list.add(new Embedded("a 6to4 address", InetAddresses.get6to4IPv4Address(v6)));
        }
        if (InetAddresses.isTeredoAddress(v6)) {
            InetAddresses.TeredoInfo t = InetAddresses.getTeredoInfo(v6);
            list.add(new Embedded("a Teredo address (client)", t.getClient()));
            list.add(new Embedded("a Teredo address (server)", t.getServer()));
        }
        return list;
    }

    private static String own(InetAddress a) {
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
            if (first == 198 && (second == 18 || second == 19)) {
                return "a benchmarking address";
            }
        } else if ((b[0] & 0xfe) == 0xfc) {
            return "a unique-local address";
        }
        return null;
    }

    private static long last4(byte[] b) {
        return ((b[12] & 0xffL) << 24) | ((b[13] & 0xffL) << 16) | ((b[14] & 0xffL) << 8) | (b[15] & 0xffL);
    }

    private static boolean zeros(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return Arrays.equals(Arrays.copyOf(b, prefix.length), prefix);
    }
}
