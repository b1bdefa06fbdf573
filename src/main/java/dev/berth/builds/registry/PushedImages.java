package dev.berth.builds.registry;

import dev.berth.builds.run.BuildsConfig;
import dev.berth.regions.ImageFacts;
import dev.berth.regions.RegistryImageInspector;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;

/**
 * Answers whether an image an earlier build pushed is still in Berth's registry, before a build of the same inputs
 * reuses it instead of building: registries garbage-collect, get wiped or replaced, and a release of a missing digest
 * could never be pulled. The lookup is fresh every time (no cache) and logs in with {@link RegistryAuth}'s credential;
 * only an image the registry serves (manifest and config) counts as there, so an unreachable registry means "build".
 */
@ApplicationScoped
public class PushedImages {
    @Inject
    BuildsConfig config;
    @Inject
    RegistryAuth auth;

    private volatile RegistryImageInspector registry;

    public boolean stillThere(String imageRef, String digest) {
        return registry().inspect(digestRef(imageRef, digest)).availability()
                == ImageFacts.Availability.FOUND;
    }

    /** One client for every lookup; a cache of size 0 keeps no answer, and the credential is read for each. */
    private RegistryImageInspector registry() {
        RegistryImageInspector r = registry;
        if (r == null) {
            r = new RegistryImageInspector(config.registry().host(), config.registry().insecure(),
                    () -> auth.credential().map(c -> new RegistryImageInspector.Credentials(c.username(), c.password())),
                    Duration.ofSeconds(10), 0, Duration.ZERO, Clock.systemUTC());
            registry = r;
        }
        return r;
    }

    /** {@code registry/tenant/app@sha256:...}: the tag is dropped, the digest pins the image. */
    public static String digestRef(String tagged, String digest) {
        int slash = tagged.lastIndexOf('/');
        int colon = tagged.lastIndexOf(':');
        String repo = colon > slash ? tagged.substring(0, colon) : tagged;
        return repo + "@" + digest;
    }
}
