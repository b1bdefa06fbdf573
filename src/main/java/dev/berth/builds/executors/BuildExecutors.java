package dev.berth.builds.executors;

import dev.berth.builds.run.BuildFailure;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.kube.Quantities;
import dev.berth.quotas.AppFootprint;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * Chooses the executor for Dockerfile builds from {@code berth.builds.executor}; {@link BuildIsolation} checks the
 * choice at start.
 */
@ApplicationScoped
@Named("buildExecutors")
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
        if (onHost()) {
            return AppFootprint.NONE;
        }
        BuildsConfig.Kubernetes k = config.kubernetes();
        return new AppFootprint(1, Quantities.parseCpuMillis(k.cpuRequest()), Quantities.parseCpuMillis(k.cpuLimit()),
                Quantities.parseMemoryBytes(k.memoryRequest()), Quantities.parseMemoryBytes(k.memoryLimit()), false);
    }

    /** True when builds run on this host (the {@code local} executor), and with them Maven and Gradle builds. */
    public boolean onHost() {
        return "local".equals(config.executor());
    }

    /** Where builds run, in words for the admin pages and the start-up log. */
    public String describe() {
        return onHost() ? "on the Berth host (berth.builds.executor=local, berth.builds.allow-host-builds=true)"
                : "as Kubernetes Jobs in each tenant's build namespace of region '" + kubernetes.buildRegion() + "'";
    }

    /** Why Berth must not start with this build configuration, or null. */
    static String startProblem(String executor, boolean allowHostBuilds) {
        if (!executor.equals("local") && !executor.equals("kubernetes")) {
            return "berth.builds.executor is '" + executor + "'; use kubernetes (builds as Jobs in the cluster) or local"
                    + " (buildah on this host)";
        }
        if (executor.equals("local") && !allowHostBuilds) {
            return "berth.builds.executor=local would run tenants' build steps (Dockerfile RUN steps, Maven and Gradle "
                    + "builds) on this host, next to Berth's database credentials and keys. Choose one: "
                    + "berth.builds.executor=kubernetes (the default; builds run as Jobs in each tenant's build "
                    + "namespace, see docs/builds.md), or accept the risk for code you trust with "
                    + "berth.builds.allow-host-builds=true.";
        }
        return null;
    }

    public BuildExecutor current() {
        return switch (config.executor()) {
            case "local" -> local;
            case "kubernetes" -> kubernetes;
            default -> throw new BuildFailure("unknown berth.builds.executor '" + config.executor()
                    + "' (use local or kubernetes)");
        };
    }
}
