package dev.berth.keycloak;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * Berth as in production: OIDC against the real Keycloak of {@link KeycloakServer}, no local login and no embedded
 * users (both fixed at build time, hence set here and not by the test resource).
 */
public class KeycloakProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.http.auth.form.enabled", "false",
                "quarkus.security.users.embedded.enabled", "false",
                "quarkus.oidc.tenant-enabled", "true",
                "berth.identity.dev-login", "false");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(KeycloakServer.class));
    }
}
