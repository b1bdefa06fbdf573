package dev.berth.apps;

import dev.berth.api.Validator;
import dev.berth.kube.Names;
import dev.berth.kube.Quantities;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validation of app fields the way Kubernetes and OCI registries would judge them, so a bad value is refused with
 * a message naming the field instead of failing later in a cluster.
 */
public final class AppRules {
    /** The distribution reference grammar: [registry[:port]/]path[:tag][@digest]. */
    private static final Pattern IMAGE = Pattern.compile(
            "^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
                    + "(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
                    + "(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$");
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
    private static final Pattern HEALTH_PATH = Pattern.compile("/[A-Za-z0-9\\-._~!$&'()*+,;=:@/%?]*");
    static final int MAX_REPLICAS = 100;
    static final int MAX_ENV_VALUE = 32 * 1024;

    private AppRules() {
    }

    public static String image(String image) {
        if (image == null || image.isBlank()) {
            return "is required";
        }
        if (image.length() > 500 || !IMAGE.matcher(image).matches()) {
            return "must be an image reference such as registry.example.com/team/web:1.4";
        }
        return null;
    }

    static String port(Integer port) {
        return port == null || port < 1 || port > 65535 ? "must be a port number between 1 and 65535" : null;
    }

    static String replicas(Integer replicas) {
        return replicas == null || replicas < 0 || replicas > MAX_REPLICAS
                ? "must be between 0 and " + MAX_REPLICAS : null;
    }

    static String healthPath(String path) {
        if (path == null) {
            return null;
        }
        return path.length() > 200 || !HEALTH_PATH.matcher(path).matches()
                ? "must be a URL path starting with '/', such as /healthz" : null;
    }

    static String customDomain(String domain, Iterable<String> regionDomains) {
        if (domain == null) {
            return null;
        }
        String problem = Names.checkHostname(domain);
        if (problem != null) {
            return problem;
        }
        for (String base : regionDomains) {
            if (domain.equals(base) || domain.endsWith("." + base)) {
                return "must not be under " + base + ": hosts there are assigned by Berth";
            }
        }
        return null;
    }

    static void env(Validator v, String field, Map<String, String> env) {
        if (env == null) {
            return;
        }
        if (env.size() > 200) {
            v.add(field, "must have at most 200 variables");
        }
        env.forEach((name, value) -> {
            if (name == null || name.isEmpty() || name.length() > 200 || !ENV_NAME.matcher(name).matches()) {
                v.add(field + "." + name, "is not a valid variable name: use letters, digits, '_', '-' and '.', "
                        + "not starting with a digit");
            } else if (value == null) {
                v.add(field + "." + name, "must have a value (use an empty string for none)");
            } else if (value.length() > MAX_ENV_VALUE) {
                v.add(field + "." + name, "must be at most 32 KiB");
            }
        });
    }

    /** Resolved resources; fields left out keep {@code current}'s values. Checks request <= limit. */
    static int[] cpu(Validator v, AppRequests.Resources r, int reqNow, int limNow) {
        int req = r == null || r.cpuRequest() == null ? reqNow : Quantities.parseCpuMillis(r.cpuRequest());
        int lim = r == null || r.cpuLimit() == null ? limNow : Quantities.parseCpuMillis(r.cpuLimit());
        v.check(req > 0, "resources.cpuRequest", "must be a CPU quantity such as 100m or 0.5");
        v.check(lim > 0, "resources.cpuLimit", "must be a CPU quantity such as 500m or 1");
        if (req > 0 && lim > 0 && req > lim) {
            v.add("resources.cpuRequest", "must not exceed the CPU limit (" + Quantities.cpu(lim) + ")");
        }
        return new int[] {req, lim};
    }

    static long[] memory(Validator v, AppRequests.Resources r, long reqNow, long limNow) {
        long req = r == null || r.memoryRequest() == null ? reqNow : Quantities.parseMemoryBytes(r.memoryRequest());
        long lim = r == null || r.memoryLimit() == null ? limNow : Quantities.parseMemoryBytes(r.memoryLimit());
        v.check(req > 0, "resources.memoryRequest", "must be a memory quantity such as 128Mi");
        v.check(lim > 0, "resources.memoryLimit", "must be a memory quantity such as 256Mi or 1Gi");
        if (req > 0 && lim > 0 && req > lim) {
            v.add("resources.memoryRequest", "must not exceed the memory limit (" + Quantities.memory(lim) + ")");
        }
        return new long[] {req, lim};
    }
}
