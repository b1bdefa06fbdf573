package dev.berth.apps;

import java.util.SortedMap;

/**
 * An app's desired state as manifests need it, detached from the database, with secret values unsealed (it never
 * leaves the reconciler).
 */
public record AppSpec(String tenant, String name, String image, int port, int replicas, int cpuRequestMillis,
        int cpuLimitMillis, long memoryRequestBytes, long memoryLimitBytes, String healthPath, String customDomain,
        SortedMap<String, String> env, SortedMap<String, String> secretEnv) {
}
