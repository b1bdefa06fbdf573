package dev.berth.processes;

import dev.berth.apps.AppRequests;
import java.util.List;

/**
 * One process as the API and the pages take and show it. {@code resources} left out (or any of its fields) take
 * the app's web resources; {@code replicas} is for workers (default 1), {@code schedule}, {@code concurrencyPolicy}
 * and the history limits for crons.
 */
public record ProcessRequest(String name, String type, List<String> command, List<String> args, Integer replicas,
        AppRequests.Resources resources, String schedule, String concurrencyPolicy,
        Integer successfulJobsHistoryLimit, Integer failedJobsHistoryLimit) {
}
