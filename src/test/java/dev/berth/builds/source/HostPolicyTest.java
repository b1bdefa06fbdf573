package dev.berth.builds.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The SSRF host rules for every notation of an address resolvers accept: IPv4 as inet_aton reads it (octal, hex,
 * short and integer forms), and IPv6 addresses that carry an IPv4 address (mapped, compatible, NAT64, 6to4,
 * Teredo), which are judged by that IPv4 address. Public addresses in the same notations stay allowed.
 */
class HostPolicyTest {
    private static final HostPolicy NOTHING_ALLOWED = new HostPolicy(List.of(), HostPolicy.DNS);

    @ParameterizedTest(name = "{0} is refused as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1                              | loopback
            0177.0.0.1                             | loopback
            0x7f.1                                 | loopback
            0x7F.0.0.1                             | loopback
            127.1                                  | loopback
            2130706433                             | loopback
            0x7f000001                             | loopback
            017700000001                           | loopback
            0                                      | not a unicast
            10.1                                   | private
            010.8.8.8                              | private
            0xa9.0xfe.0xa9.0xfe                    | link-local
            2852039166                             | link-local
            169.254.169.254.                       | link-local
            192.168.1                              | private
            100.64.0.1                             | carrier-grade NAT
            [::1]                                  | loopback
            ::ffff:127.0.0.1                       | loopback
            [::ffff:7f00:1]                        | loopback
            ::ffff:169.254.169.254                 | link-local
            ::127.0.0.1                            | loopback address (127.0.0.1, embedded in an IPv4-compatible address)
            [::a00:1]                              | private address (10.0.0.1, embedded in an IPv4-compatible address)
            64:ff9b::127.0.0.1                     | loopback address (127.0.0.1, embedded in a NAT64 address)
            64:ff9b::a9fe:a9fe                     | link-local
            64:ff9b:1::a00:1                       | private address (10.0.0.1, embedded in a NAT64 address)
            2002:7f00:1::                          | loopback address (127.0.0.1, embedded in a 6to4 address)
            2002:a9fe:a9fe::1                      | link-local
            2001:0:4136:e378:8000:63bf:80ff:fffe   | loopback address (127.0.0.1, embedded in a Teredo address (client))
            2001:0:a00:1:8000:63bf:f7f7:f7f7       | private address (10.0.0.1, embedded in a Teredo address (server))
            fd00::1                                | unique-local
            fe80::1                                | link-local
            fec0::1                                | private
            ff02::1                                | not a unicast
            metadata.google.internal.              | metadata
            localhost                              | loopback
            """)
    void internalAddressesAreRefusedInEveryNotation(String host, String why) {
        assertThat(NOTHING_ALLOWED.check(host)).as(host).isNotNull().contains(why);
    }

    @ParameterizedTest(name = "{0} is public")
    @CsvSource(textBlock = """
            8.8.8.8
            0x08.0x08.0x08.0x08
            134744072
            8.8.2056
            [2001:4860:4860::8888]
            ::ffff:8.8.8.8
            64:ff9b::8.8.8.8
            2002:808:808::1
            2001:0:4136:e378:8000:63bf:f7f7:f7f7
            """)
    void publicAddressesStayAllowedInTheSameNotations(String host) {
        assertThat(NOTHING_ALLOWED.check(host)).as(host).isNull();
    }

    @ParameterizedTest(name = "{0} is read as {1}")
    @CsvSource(textBlock = """
            0177.0.0.1, 127.0.0.1
            0x7f.1, 127.0.0.1
            127.1, 127.0.0.1
            2130706433, 127.0.0.1
            10.0.258, 10.0.1.2
            [::ffff:7f00:1], 127.0.0.1
            """)
    void literalsAreReadAsInetAtonAndGuavaReadThem(String host, String address) {
        assertThat(AddressRules.literal(AddressRules.normalHost(host)).map(InetAddress::getHostAddress))
                .contains(address);
    }

    @ParameterizedTest(name = "{0} is a name")
    @CsvSource(textBlock = """
            git.example.com
            08.1
            0x
            1.2.3.4.5
            256.1.1.1
            """)
    void namesAndOutOfRangeNumbersAreNoLiterals(String host) {
        assertThat(AddressRules.literal(AddressRules.normalHost(host))).as(host).isEmpty();
    }

    @ParameterizedTest(name = "allow-listed {0} also allows {1}")
    @CsvSource(textBlock = """
            127.0.0.1, 0177.0.0.1
            127.0.0.1, 2130706433
            git.internal.example, GIT.Internal.Example.
            ::1, [0:0:0:0:0:0:0:1]
            """)
    void theAllowListMatchesTheSameHostInAnyNotation(String allowed, String host) {
        HostPolicy policy = new HostPolicy(List.of(allowed), h -> {
            throw new UnknownHostException(h);
        });
        assertThat(policy.check(host)).as(host).isNull();
        assertThat(policy.allowed("127.0.0.2")).isFalse();
    }

    @ParameterizedTest(name = "connecting to {1} for {0}")
    @CsvSource(textBlock = """
            git.example.com, 127.0.0.1
            git.example.com, 169.254.169.254
            git.example.com, ::ffff:10.0.0.1
            """)
    void aConnectionIsJudgedByTheAddressItReallyGoesTo(String host, String address) throws Exception {
        assertThat(NOTHING_ALLOWED.checkConnected(host, InetAddress.getByName(address)))
                .contains("when connecting");
        assertThat(NOTHING_ALLOWED.checkConnected(host, InetAddress.getByName("8.8.8.8"))).isNull();
    }
}
