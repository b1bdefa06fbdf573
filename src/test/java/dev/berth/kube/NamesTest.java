package dev.berth.kube;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
    @ParameterizedTest
    @ValueSource(strings = {"ab", "acme", "team-1", "a1", "abcdefghijklmnopqrstuvwxyz1234"})
    void validTenantSlugsAreAccepted(String slug) {
        assertThat(Names.checkTenantSlug(slug)).isNull();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"a", "abcdefghijklmnopqrstuvwxyz12345", "Acme", "1team", "-team", "team-", "te--am",
            "te_am", "te.am", "admin", "kube-system", "default", "berth", " acme"})
    void invalidOrReservedTenantSlugsAreRefusedWithAReason(String slug) {
        assertThat(Names.checkTenantSlug(slug)).isNotBlank();
    }

    @Test
    void slugLengthMessageNamesTheBounds() {
        assertThat(Names.checkTenantSlug("a")).contains("2 to 30");
        assertThat(Names.checkTenantSlug("te--am")).contains("--");
        assertThat(Names.checkTenantSlug("admin")).contains("reserved");
    }

    @Test
    void longestTenantGivesANamespaceWithinTheDnsLabelLimit() {
        String ns = Names.namespace("a".repeat(Names.TENANT_MAX));
        assertThat(ns).startsWith("berth-");
        assertThat(Names.isDnsLabel(ns)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"web", "api-gateway", "w1", "a234567890123456789012345678901234567890"})
    void validAppNamesAreAccepted(String name) {
        assertThat(Names.checkAppName(name)).isNull();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"w", "a2345678901234567890123456789012345678901", "Web", "9web", "web-", "we--b", "we_b",
            "new", "kubernetes", "berth-web"})
    void invalidOrReservedAppNamesAreRefused(String name) {
        assertThat(Names.checkAppName(name)).isNotBlank();
    }

    @Test
    void longestAppNameKeepsDerivedObjectNamesValid() {
        String name = "a".repeat(Names.APP_MAX);
        assertThat(Names.isDnsLabel(name + "-env")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"www.example.com", "a.b", "shop-1.example.co.uk"})
    void validHostnamesAreAccepted(String host) {
        assertThat(Names.checkHostname(host)).isNull();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"localhost", "WWW.example.com", "-a.example.com", "a-.example.com", "a..b", "a.b.",
            "exa mple.com", "http://example.com", "*.example.com"})
    void invalidHostnamesAreRefused(String host) {
        assertThat(Names.checkHostname(host)).isNotBlank();
    }

    @Test
    void overlongHostnamesAreRefused() {
        assertThat(Names.checkHostname("a".repeat(64) + ".example.com")).contains("63");
        assertThat(Names.checkHostname(("a".repeat(60) + ".").repeat(5) + "com")).contains("253");
    }
}
