package dev.berth.releases;

import dev.berth.apps.ProcessSpec;
import dev.berth.apps.ProcessText;
import dev.berth.kube.Quantities;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configuration snapshot of a release: everything about how the app's containers run, except the image (kept
 * beside it) and the scale and routing (replicas, custom domain), which are not part of a release, so scaling is
 * not a deploy. Secret values stay sealed exactly as the app stores them.
 */
public record ReleaseConfig(int port, int cpuRequestMillis, int cpuLimitMillis, long memoryRequestBytes,
        long memoryLimitBytes, String healthPath, Map<String, String> env, Map<String, String> secretEnv,
        List<ProcessSpec> processes, List<String> releaseCommand) {

    public ReleaseConfig {
        env = env == null ? new TreeMap<>() : new TreeMap<>(env);
        secretEnv = secretEnv == null ? new TreeMap<>() : new TreeMap<>(secretEnv);
        // Releases recorded before processes existed have neither: no processes, no release command.
        processes = processes == null ? List.of() : List.copyOf(processes);
        releaseCommand = releaseCommand == null || releaseCommand.isEmpty() ? null : List.copyOf(releaseCommand);
    }

    public ReleaseConfig(int port, int cpuRequestMillis, int cpuLimitMillis, long memoryRequestBytes,
            long memoryLimitBytes, String healthPath, Map<String, String> env, Map<String, String> secretEnv) {
        this(port, cpuRequestMillis, cpuLimitMillis, memoryRequestBytes, memoryLimitBytes, healthPath, env, secretEnv,
                null, null);
    }

    /** The plain settings, flat, for pages and diffs; secrets are left out (compared by value elsewhere). */
    Map<String, String> flat() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("port", Integer.toString(port));
        m.put("cpuRequest", Quantities.cpu(cpuRequestMillis));
        m.put("cpuLimit", Quantities.cpu(cpuLimitMillis));
        m.put("memoryRequest", Quantities.memory(memoryRequestBytes));
        m.put("memoryLimit", Quantities.memory(memoryLimitBytes));
        if (healthPath != null) {
            m.put("healthPath", healthPath);
        }
        env.forEach((k, v) -> m.put("env." + k, v));
        processes.forEach(p -> m.put("process." + p.name(), ProcessText.describe(p)));
        if (releaseCommand != null) {
            m.put("releaseCommand", String.join(" ", releaseCommand));
        }
        return m;
    }
}
