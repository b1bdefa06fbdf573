package dev.berth.builds.executors;

import dev.berth.builds.run.BuildsConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Refuses to start Berth when its build configuration would run tenants' build steps on its own host without the
 * operator's explicit opt-in ({@code berth.builds.allow-host-builds}), and says where builds run at every start.
 */
@ApplicationScoped
public class BuildIsolation {
    private static final Logger LOG = Logger.getLogger(BuildIsolation.class);

    @Inject
    BuildsConfig config;
    @Inject
    BuildExecutors executors;

    void check(@Observes StartupEvent event) {
        String problem = BuildExecutors.startProblem(config.executor(), config.allowHostBuilds());
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
        if (executors.onHost()) {
            LOG.warn("builds run on this host: tenants' Dockerfile RUN steps and Maven/Gradle builds execute next to "
                    + "Berth's credentials (berth.builds.allow-host-builds=true). For code you do not trust use "
                    + "berth.builds.executor=kubernetes.");
        } else {
            LOG.infof("builds run %s", executors.describe());
        }
    }
}
