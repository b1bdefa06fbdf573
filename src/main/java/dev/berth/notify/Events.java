package dev.berth.notify;

import java.util.List;

/** The events an app's hooks can subscribe to. */
public final class Events {
    public static final String BUILD_SUCCEEDED = "build.succeeded";
    public static final String BUILD_FAILED = "build.failed";
    public static final String BUILD_CANCELLED = "build.cancelled";
    /** Sent on request ({@code POST .../notifications/{id}/ping}) to check a receiver; every hook gets it. */
    public static final String PING = "ping";
    public static final List<String> SUBSCRIBABLE = List.of(BUILD_SUCCEEDED, BUILD_FAILED, BUILD_CANCELLED);

    private Events() {
    }

    /** The event for a build that ended in {@code state}, or null for a state that is not an end. */
    public static String forBuildState(String state) {
        return switch (state) {
            case "succeeded" -> BUILD_SUCCEEDED;
            case "failed" -> BUILD_FAILED;
            case "cancelled" -> BUILD_CANCELLED;
            default -> null;
        };
    }
}
