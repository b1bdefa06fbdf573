package dev.berth.processes;

import java.util.List;

/**
 * The whole process settings of an app: its worker and cron processes (the {@code web} process is the app itself)
 * and the optional release command. Replaces what was set before; a change is a new release.
 */
public record ProcessesRequest(List<ProcessRequest> processes, List<String> releaseCommand) {
}
