package dev.berth.processes;

import dev.berth.apps.AppSpec;
import dev.berth.apps.ProcessSpec;
import java.util.List;

/**
 * What the reconciler writes for an app's processes in one region: the serving release's image, env and secret
 * env ({@code spec}), the Deployment whose Secret holds that secret env ({@code secretOf}), the release number, its
 * worker and cron processes, and the Jobs of the runs pending or running in this region.
 */
public record ProcessDesired(AppSpec spec, String secretOf, int release, List<ProcessSpec> processes,
        List<RunJob> runs) {
    public ProcessDesired {
        processes = processes == null ? List.of() : List.copyOf(processes);
        runs = runs == null ? List.of() : List.copyOf(runs);
    }

    /** One run's Job: its name, the release's image and the command. */
    public record RunJob(long id, String jobName, String kind, String image, int release, List<String> command) {
    }
}
