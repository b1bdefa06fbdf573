package dev.berth.builds.registry;

import dev.berth.builds.run.BuildsConfig;
import dev.berth.regions.ImageInspector;
import dev.berth.regions.RegistryImageInspector;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Offers Berth's own registry (host, insecure flag and push credential, as builds use them) to the regions feature as
 * an {@link ImageInspector}, so the sandbox's kubelet sees the images Berth built the way a cluster pulling from that
 * registry would: missing ones cannot be pulled, root ones cannot start under runAsNonRoot. Images on other hosts stay
 * unknown. It lives here because builds owns the registry's configuration and regions must not depend on builds.
 */
@ApplicationScoped
public class RegistryImages {
    @Produces
    @Singleton
    ImageInspector berthRegistry(BuildsConfig config, RegistryAuth auth) {
        return new RegistryImageInspector(config.registry().host(), config.registry().insecure(),
                () -> auth.credential().map(c -> new RegistryImageInspector.Credentials(c.username(), c.password())));
    }
}
