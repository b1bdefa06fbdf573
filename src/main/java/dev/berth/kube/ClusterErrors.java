package dev.berth.kube;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a failed cluster call into one line people can act on. The Kubernetes client wraps the real cause (refused
 * connection, unknown host, timeout, TLS failure, HTTP status) in exceptions whose own message is often just
 * "An error has occurred."; region health, logs and retry notes show the chain of distinct causes instead.
 */
public final class ClusterErrors {
    private static final int MAX_LENGTH = 500;

    private ClusterErrors() {
    }

    public static String describe(Throwable error) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = error; t != null && parts.size() < 5; t = t.getCause() == t ? null : t.getCause()) {
            String part = part(t);
            if (part != null && parts.stream().noneMatch(p -> p.contains(part))) {
                parts.add(part);
            }
        }
        String text = parts.isEmpty() ? error.getClass().getSimpleName() : String.join(": ", parts);
        return text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH - 1) + "…";
    }

    private static String part(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank() || message.startsWith("An error has occurred")) {
            // Exceptions like ConnectException or UnknownHostException say the most with their type.
            return t.getCause() == null ? t.getClass().getSimpleName() : null;
        }
        message = message.strip();
        return t instanceof java.net.UnknownHostException ? "unknown host " + message : message;
    }
}
