package dev.berth.builds.executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.builds.run.BuildFailure;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.builds.source.UrlGuard;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What a builder pod may reach: the Git host and the registry, each pinned to the address checked right before the
 * build. A Git host that the SSRF rules refuse fails the build before anything is sent to the cluster; the
 * registry, which the operator configured, is only resolved.
 */
class BuildEgressTest {
    /** The guard with an allow-list, as configured by {@code berth.builds.allowed-hosts}. */
    private static UrlGuard guard(String... allowed) {
        return new UrlGuard((BuildsConfig) Proxy.newProxyInstance(BuildEgressTest.class.getClassLoader(),
                new Class<?>[] {BuildsConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "allowedHosts" -> Optional.of(List.of(allowed));
                    default -> throw new UnsupportedOperationException(method.getName());
                }));
    }

    @Test
    void eachSchemeHasItsPortAndScpLikeUrlsUseSsh() {
        assertThat(BuildEgress.gitHostPort("https://git.example.com/team/app.git")).containsExactly("git.example.com", "443");
        assertThat(BuildEgress.gitHostPort("http://git.example.com:8080/app.git")).containsExactly("git.example.com", "8080");
        assertThat(BuildEgress.gitHostPort("ssh://git@git.example.com/app.git")).containsExactly("git.example.com", "22");
        assertThat(BuildEgress.gitHostPort("git://[2001:db8::7]/app.git")).containsExactly("2001:db8::7", "9418");
        assertThat(BuildEgress.gitHostPort("git@git.example.com:team/app.git")).containsExactly("git.example.com", "22");
        assertThat(BuildEgress.hostPort("registry.example.com", 443)).containsExactly("registry.example.com", "443");
        assertThat(BuildEgress.hostPort("[2001:db8::9]:5000", 443)).containsExactly("2001:db8::9", "5000");
    }

    @Test
    void aGitHostTheRulesRefuseFailsTheBuildBeforeTheClusterIsAsked() {
        assertThatThrownBy(() -> BuildEgress.of(guard(), "git://127.0.0.1:9418/app.git", "127.0.0.1:5000", true,
                List.of())).isInstanceOf(BuildFailure.class).hasMessageContaining("the Git URL cannot be used")
                .hasMessageContaining("127.0.0.1");
        assertThatThrownBy(() -> BuildEgress.of(guard(), "https://0177.0.0.1/app.git", "127.0.0.1:5000", true,
                List.of())).isInstanceOf(BuildFailure.class).hasMessageContaining("the Git URL cannot be used");
    }

    @Test
    void allowedHostsArePinnedToTheirAddressAndTheRegistryIsOnlyResolved() {
        BuildEgress e = BuildEgress.of(guard("127.0.0.1", "localhost"), "http://localhost:3000/app.git",
                "127.0.0.1:5000", true, List.of("10.0.40.0/24"));
        assertThat(e.pins()).containsExactly(new BuildEgress.Pin("localhost", "127.0.0.1", 3000),
                new BuildEgress.Pin("127.0.0.1", "127.0.0.1", 5000));
        assertThat(e.pins().get(0).literal()).isFalse(); // pinned through hostAliases
        assertThat(e.pins().get(1).literal()).isTrue();
        assertThat(e.pins().get(1).cidr()).isEqualTo("127.0.0.1/32");
        assertThat(e.cidrs()).containsExactly("10.0.40.0/24");
        // The registry is the operator's: not subject to the tenants' SSRF rules.
        assertThat(BuildEgress.of(guard("localhost"), "http://localhost/app.git", "127.0.0.1:5000", true, List.of())
                .pins()).extracting(BuildEgress.Pin::address).containsExactly("127.0.0.1", "127.0.0.1");
    }
}
