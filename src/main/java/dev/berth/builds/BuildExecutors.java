package dev.berth.builds;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Chooses the executor for Dockerfile builds from {@code berth.builds.executor}. */
@ApplicationScoped
public class BuildExecutors {
    @Inject
    BuildsConfig config;
    @Inject
    LocalBuildahExecutor local;

    BuildExecutor current() {
        return switch (config.executor()) {
            case "local" -> local;
            default -> throw new BuildFailure("unknown berth.builds.executor '" + config.executor()
                    + "' (use local)");
        };
    }
}
