package dev.berth.processes;

import java.util.List;

/** An app's processes and release command, with the CronJob API version each region serves. */
public record ProcessesView(String app, List<ProcessRequest> processes, List<String> releaseCommand,
        List<RegionApi> regions) {
    /** {@code cronJobApiVersion} is null while the region's API discovery has not answered, "none" if it serves none. */
    public record RegionApi(String region, String cronJobApiVersion) {
    }
}
