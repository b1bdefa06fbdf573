package dev.berth.apps;

import dev.berth.kube.Quantities;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An app as the API and pages show it. Secret env values are never included: only their names. */
public record AppView(String name, String image, int port, int replicas, AppRequests.Resources resources,
        String healthPath, String customDomain, Map<String, String> env, List<String> secretEnv, List<String> urls,
        List<AppStatus> status, Instant createdAt, Instant updatedAt, long version) {

    static AppView of(App a, List<String> urls, List<AppStatus> status) {
        return new AppView(a.name, a.image, a.port, a.replicas, new AppRequests.Resources(
                Quantities.cpu(a.cpuRequestMillis), Quantities.cpu(a.cpuLimitMillis),
                Quantities.memory(a.memoryRequestBytes), Quantities.memory(a.memoryLimitBytes)),
                a.healthPath, a.customDomain, a.env, List.copyOf(a.secretEnv.keySet()), urls, status, a.createdAt,
                a.updatedAt, a.version);
    }

    /** The status word of the first region, for lists. */
    public String summary() {
        return status.isEmpty() ? "No region" : status.get(0).state();
    }
}
