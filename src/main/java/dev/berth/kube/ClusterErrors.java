package dev.berth.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Turns a failed cluster call into one line people can act on. The Kubernetes client wraps the real cause (refused
 * connection, unknown host, timeout, TLS failure, HTTP status) in exceptions whose own message is often just
 * "An error has occurred."; region health, logs and retry notes show the chain of distinct causes instead.
 *
 * <p>It also tells the two kinds of failure apart that a region's reconciler treats differently: a cluster that
 * did not answer (connection refused, reset or timed out: every other call would fail the same way, so the region
 * waits as a whole) and a cluster that answered and refused one write (403 from RBAC, 422 from admission or
 * validation: only that object is affected, see {@link #refusal}).
 */
public final class ClusterErrors {
    private static final int MAX_LENGTH = 500;

    /** The API server's answer to a refused call: its HTTP code and the message of its {@code Status}. */
    public record Refusal(int code, String message) {
    }

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
        return cut(text);
    }

    /**
     * True when the cluster gave no answer: no HTTP status, and an I/O failure, a timeout or an error of the HTTP
     * client's transport (Vert.x, Netty: "Connection was closed" is not an IOException there) in the cause chain.
     * Errors Berth raises itself without reaching the cluster are not counted, so they stay with their object.
     */
    public static boolean unanswered(Throwable error) {
        if (refusal(error).isPresent()) {
            return false;
        }
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String type = t.getClass().getName();
            if (t instanceof IOException || t instanceof TimeoutException || type.startsWith("io.vertx.")
                    || type.startsWith("io.netty.")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The API server's answer when it refused the call (any HTTP status), with the message of the {@code Status}
     * it sent (what {@code kubectl} would print, e.g. {@code roles.rbac.authorization.k8s.io "x" is forbidden:
     * ...}), or the error's description when the answer had none. Empty when the server did not answer.
     */
    public static Optional<Refusal> refusal(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getCode() > 0) {
                String message = k.getStatus() == null ? null : k.getStatus().getMessage();
                return Optional.of(new Refusal(k.getCode(),
                        message == null || message.isBlank() ? describe(k) : cut(message.strip())));
            }
        }
        return Optional.empty();
    }

    private static String cut(String text) {
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
