package dev.berth.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.net.URL;
import org.junit.jupiter.api.Test;

/** The production profile's cookies, read from application.properties as the packaged application reads it. */
class ProductionCookiesTest {

    private static SmallRyeConfig profile(String name) throws IOException {
        URL props = ProductionCookiesTest.class.getResource("/application.properties");
        return new SmallRyeConfigBuilder().withProfile(name).withSources(new PropertiesConfigSource(props, 250))
                .build();
    }

    @Test
    void productionCookiesAreSecureHttpOnlyAndSameSite() throws IOException {
        SmallRyeConfig prod = profile("prod");
        assertThat(prod.getValue("quarkus.oidc.authentication.cookie-force-secure", Boolean.class)).isTrue();
        assertThat(prod.getValue("quarkus.rest-csrf.cookie-force-secure", Boolean.class)).isTrue();
        assertThat(prod.getValue("quarkus.rest-csrf.cookie-http-only", Boolean.class)).isTrue();
        assertThat(prod.getValue("quarkus.oidc.authentication.cookie-same-site", String.class)).isEqualToIgnoringCase("lax");
        assertThat(prod.getValue("quarkus.http.same-site-cookie.\"csrf-token\".value", String.class))
                .isEqualToIgnoringCase("lax");
        assertThat(prod.getOptionalValue("quarkus.http.auth.form.enabled", Boolean.class)).isEmpty();
    }
}
