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
    @Inject
    KubernetesJobExecutor kubernetes;

    BuildExecutor current() {
        return switch (config.executor()) {
            case "local" -> local;
            case "kubernetes" -> kubernetes;
            default -> throw new BuildFailure("unknown berth.builds.executor '" + config.executor()
                    + "' (use local or kubernetes)");
        };
    }
}
