package dev.berth.regions;

/**
 * Looks an image up the way a kubelet's pull would, so {@link KubeletRules} can decide what a pod of it becomes
 * without running it. Implementations answer quickly and never throw: whatever they cannot find out is
 * {@link ImageFacts.Availability#UNKNOWN}.
 */
public interface ImageInspector {
    /** Facts about {@code imageReference} ({@code host/repo:tag}, {@code host/repo@sha256:...} or both). */
    ImageFacts inspect(String imageReference);

    /** An inspector that knows nothing about any image: every image is runnable, its user unknown. */
    static ImageInspector unknown() {
        return image -> ImageFacts.unknown();
    }
}
