package dev.berth.processes;

import java.util.List;

/** A command to run once from the app's current release; {@code region} defaults to the app's primary region. */
public record RunRequest(List<String> command, String region) {
}
