package dev.berth.identity;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.Config;

/**
 * Chooses the directory: the embedded users while the local login is on (dev and test), Keycloak's admin API with
 * the OIDC client's service account otherwise.
 */
public class Directories {

    @Produces
    @ApplicationScoped
    @DefaultBean
    Directory directory(Config config) {
        return choose(config);
    }

    public static Directory choose(Config config) {
        if (config.getOptionalValue("berth.identity.dev-login", Boolean.class).orElse(false)) {
            return new LocalDirectory(config);
        }
        return new KeycloakDirectory(config.getValue("quarkus.oidc.auth-server-url", String.class),
                config.getValue("quarkus.oidc.client-id", String.class),
                config.getOptionalValue("quarkus.oidc.credentials.secret", String.class).orElse(""));
    }
}
