package dev.berth.builds;

/** A build failed for a reason a person can act on; its message becomes the build's failure reason. */
final class BuildFailure extends RuntimeException {
    BuildFailure(String message) {
        super(message);
    }
}
