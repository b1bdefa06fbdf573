package dev.berth.apps;

import java.util.List;
import java.util.Map;

/** Request bodies of the app API. Quantities are Kubernetes quantities ("250m", "256Mi"). */
public final class AppRequests {
    private AppRequests() {
    }

    public record Resources(String cpuRequest, String cpuLimit, String memoryRequest, String memoryLimit) {
    }

    public record Create(String name, String image, Integer port, Integer replicas, Resources resources,
            String healthPath, String customDomain, Map<String, String> env, Map<String, String> secretEnv) {
    }

    /**
     * A change; absent fields stay as they are. {@code env} replaces the plain variables when present;
     * {@code secretEnv} sets the named secrets and {@code removeSecretEnv} removes secrets by name. An empty
     * {@code healthPath} or {@code customDomain} removes it.
     */
    public record Update(String image, Integer port, Integer replicas, Resources resources, String healthPath,
            String customDomain, Map<String, String> env, Map<String, String> secretEnv, List<String> removeSecretEnv) {
    }
}
