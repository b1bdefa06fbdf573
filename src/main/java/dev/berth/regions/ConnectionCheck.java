package dev.berth.regions;

import dev.berth.api.ApiException;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;

/**
 * Checks a kubeconfig before it is stored: it must parse, name a context it contains, and reach its API server
 * within the connect and request timeouts. Each failure is a 422 naming the field to fix ({@code kubeconfig} or
 * {@code context}); the message never repeats the kubeconfig's content, which may hold credentials.
 */
public final class ConnectionCheck {
    /** Largest kubeconfig accepted: real ones with embedded certificates are a few KiB. */
    static final int MAX_KUBECONFIG = 256 * 1024;

    /** What a successful check saw: the API server's version and the round trip. */
    public record Result(String version, int latencyMs, String context) {
    }

    private ConnectionCheck() {
    }

    /** Validates and probes; {@code context} null means the kubeconfig's current context. */
    public static Result check(String kubeconfig, String context, Duration connect, Duration request) {
        if (kubeconfig == null || kubeconfig.isBlank()) {
            throw ApiException.invalid("kubeconfig", "is required: paste the kubeconfig of the cluster");
        }
        if (kubeconfig.length() > MAX_KUBECONFIG) {
            throw ApiException.invalid("kubeconfig", "must be at most " + MAX_KUBECONFIG / 1024 + " KiB");
        }
        io.fabric8.kubernetes.api.model.Config parsed;
        try {
            parsed = Serialization.unmarshal(kubeconfig, io.fabric8.kubernetes.api.model.Config.class);
        } catch (RuntimeException e) {
            throw ApiException.invalid("kubeconfig", "is not a kubeconfig file (YAML or JSON with clusters, users "
                    + "and contexts)");
        }
        if (parsed == null || parsed.getClusters() == null || parsed.getClusters().isEmpty()
                || parsed.getContexts() == null || parsed.getContexts().isEmpty()) {
            throw ApiException.invalid("kubeconfig", "must contain at least one cluster and one context");
        }
        List<String> contexts = parsed.getContexts().stream().map(NamedContext::getName).toList();
        String wanted = context == null || context.isBlank() ? parsed.getCurrentContext() : context.trim();
        if (wanted == null || wanted.isBlank()) {
            throw ApiException.invalid("context", "is required: the kubeconfig has no current context; choose one of "
                    + contexts);
        }
        if (!contexts.contains(wanted)) {
            throw ApiException.invalid("context", "'" + wanted + "' is not in the kubeconfig; it has " + contexts);
        }
        Config kube;
        try {
            kube = Config.fromKubeconfig(wanted, kubeconfig, null);
        } catch (RuntimeException e) {
            throw ApiException.invalid("kubeconfig", "cannot be used: " + e.getMessage());
        }
        long start = System.nanoTime();
        try (KubernetesClient client = RegionCluster.client(kube, connect, request)) {
            var info = client.getKubernetesVersion();
            String version = info == null ? null : info.getGitVersion() != null ? info.getGitVersion()
                    : info.getMajor() != null ? "v" + info.getMajor() + "." + info.getMinor() : null;
            version = version == null ? "unknown" : version;
            return new Result(version, (int) ((System.nanoTime() - start) / 1_000_000), wanted);
        } catch (RuntimeException e) {
            throw ApiException.invalid("kubeconfig", "the API server " + kube.getMasterUrl() + " of context '"
                    + wanted + "' did not answer: " + rootMessage(e));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.length() > 300 ? m.substring(0, 297) + "..." : m;
    }
}
