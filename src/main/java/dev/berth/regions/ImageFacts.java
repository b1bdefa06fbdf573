package dev.berth.regions;

import java.util.Set;

/**
 * What a kubelet learns about an image before it starts a container: whether its registry has it, the user its
 * config runs as ({@code config.User}: empty for root, {@code uid}, {@code uid:gid} or a user name) and the ports it
 * declares ({@code 8080/tcp}). {@link Availability#UNKNOWN} means nobody could tell (the registry was not asked or
 * did not answer); {@code user} is then null.
 */
public record ImageFacts(Availability availability, String user, Set<String> exposedPorts) {
    /** Whether the image's registry has it. */
    public enum Availability {
        /** The registry served its manifest and config. */
        FOUND,
        /** The registry answered that the repository, tag or digest does not exist: a pull would fail. */
        MISSING,
        /** Not known: another registry, no answer in time, or an answer that says nothing about the image. */
        UNKNOWN
    }

    public ImageFacts {
        exposedPorts = exposedPorts == null ? Set.of() : Set.copyOf(exposedPorts);
    }

    public static ImageFacts found(String user, Set<String> exposedPorts) {
        return new ImageFacts(Availability.FOUND, user == null ? "" : user, exposedPorts);
    }

    public static ImageFacts missing() {
        return new ImageFacts(Availability.MISSING, null, Set.of());
    }

    public static ImageFacts unknown() {
        return new ImageFacts(Availability.UNKNOWN, null, Set.of());
    }
}
