package dev.berth.builds.executors;

import dev.berth.builds.run.BuildControl;
import dev.berth.builds.run.BuildLog;

/**
 * Turns a checked-out commit with a Dockerfile into a pushed image. Two implementations: buildah on the Berth host
 * ({@link LocalBuildahExecutor}) and a builder Job in Kubernetes ({@link KubernetesJobExecutor}).
 */
public interface BuildExecutor {
    /** Executor stages reported back to the runner, which records them as the build's state. */
    interface Stages {
        void pushing();
    }

    /** Builds and pushes the image; returns its digest ({@code sha256:...}). Throws on failure, cancel or timeout. */
    String buildAndPush(BuildSpec spec, BuildLog.Writer log, BuildControl control, Stages stages) throws Exception;
}
