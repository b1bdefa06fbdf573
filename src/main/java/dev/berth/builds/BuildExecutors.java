package dev.berth.builds;

import dev.berth.kube.Quantities;
import dev.berth.quotas.AppFootprint;
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

    /**
     * The pod, CPU and memory a build holds in its tenant's quota while it runs: the builder pod's requests and
     * limits with the Kubernetes Job executor (its namespace is not the tenant's, so Berth counts it), nothing with
     * the local executor, whose builds do not run in a cluster.
     */
    public AppFootprint builderFootprint() {
        if (!"kubernetes".equals(config.executor())) {
            return AppFootprint.NONE;
        }
        BuildsConfig.Kubernetes k = config.kubernetes();
        return new AppFootprint(1, Quantities.parseCpuMillis(k.cpuRequest()), Quantities.parseCpuMillis(k.cpuLimit()),
                Quantities.parseMemoryBytes(k.memoryRequest()), Quantities.parseMemoryBytes(k.memoryLimit()), false);
    }

    BuildExecutor current() {
        return switch (config.executor()) {
            case "local" -> local;
            case "kubernetes" -> kubernetes;
            default -> throw new BuildFailure("unknown berth.builds.executor '" + config.executor()
                    + "' (use local or kubernetes)");
        };
    }
}
