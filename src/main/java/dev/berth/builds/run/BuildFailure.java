package dev.berth.builds.run;

/** A build failed for a reason a person can act on; its message becomes the build's failure reason. */
public final class BuildFailure extends RuntimeException {
    public BuildFailure(String message) {
        super(message);
    }
}
