package dev.berth.apps;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.berth.quotas.AppFootprint;
import java.util.List;

/**
 * One extra process of an app, as stored on the app and snapshotted into each release: a {@code worker} (a
 * Deployment of the release's image with its own command, replicas and resources, no Service) or a {@code cron}
 * (a CronJob with a schedule). Resolved and validated by the processes feature ({@code ProcessRules}); quantities in millicores and bytes.
 */
public record ProcessSpec(String name, String type, List<String> command, List<String> args, Integer replicas,
        int cpuRequestMillis, int cpuLimitMillis, long memoryRequestBytes, long memoryLimitBytes, String schedule,
        String concurrencyPolicy, Integer successfulJobsHistoryLimit, Integer failedJobsHistoryLimit) {
    public static final String WORKER = "worker";
    public static final String CRON = "cron";

    public ProcessSpec {
        command = command == null ? List.of() : List.copyOf(command);
        args = args == null ? List.of() : List.copyOf(args);
    }

    @JsonIgnore
    public boolean cron() {
        return CRON.equals(type);
    }

    /**
     * What the process holds of the tenant's quota in one region: a worker its replicas, a cron one pod (its Job's
     * parallelism, while it runs; Berth keeps the room for it, since the schedule may start it at any time).
     */
    @JsonIgnore
    public AppFootprint footprint() {
        int pods = cron() ? 1 : replicas == null ? 1 : replicas;
        return new AppFootprint(pods, cpuRequestMillis, cpuLimitMillis, memoryRequestBytes, memoryLimitBytes, false);
    }
}
