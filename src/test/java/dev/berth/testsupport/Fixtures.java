package dev.berth.testsupport;

import dev.berth.apps.AppSpec;
import dev.berth.kube.RegionInfo;
import dev.berth.tenancy.TenantSpec;
import dev.berth.tenancy.TenantsConfig;
import java.util.SortedMap;
import java.util.TreeMap;

/** Desired-state values for plain unit tests of manifests and reconcile logic (no Quarkus, no database). */
public final class Fixtures {
    public static final String BASE_DOMAIN = "apps.berth.localhost";

    private Fixtures() {
    }

    /** The sandbox-like region the manifests are built for: base domain, nginx ingress class and namespace. */
    public static RegionInfo region() {
        return new RegionInfo(1, "local", "Local cluster", BASE_DOMAIN, "nginx", "ingress-nginx", true);
    }

    /** The container defaults Berth ships with (see TenantsConfig). */
    public static TenantsConfig.ContainerDefaults containerDefaults() {
        return new TenantsConfig.ContainerDefaults() {
            @Override
            public String cpuRequest() {
                return "100m";
            }

            @Override
            public String cpuLimit() {
                return "500m";
            }

            @Override
            public String memoryRequest() {
                return "128Mi";
            }

            @Override
            public String memoryLimit() {
                return "256Mi";
            }
        };
    }

    /** Tenant "acme": 4 cores, 8 GiB, 20 pods, 10 apps. */
    public static TenantSpec tenant() {
        return new TenantSpec("acme", "ACME Corp", 4000, 4000, 8L * 1024 * 1024 * 1024, 8L * 1024 * 1024 * 1024, 20, 10);
    }

    /** App "web" of tenant "acme": 2 replicas, health check, one plain and one secret variable. */
    public static AppSpec app() {
        return app(new TreeMap<>(java.util.Map.of("DB_PASSWORD", "s3cret")), null);
    }

    public static AppSpec app(SortedMap<String, String> secretEnv, String customDomain) {
        return new AppSpec("acme", "web", "registry.example.com/acme/web:1.4", 8080, 2, 100, 500,
                128L * 1024 * 1024, 256L * 1024 * 1024, "/healthz", customDomain,
                new TreeMap<>(java.util.Map.of("GREETING", "hello")), secretEnv);
    }
}
