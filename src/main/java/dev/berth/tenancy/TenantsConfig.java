package dev.berth.tenancy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Defaults for tenants: the container defaults their LimitRange gives pods that declare no resources. */
@ConfigMapping(prefix = "berth.tenants")
public interface TenantsConfig {
    ContainerDefaults containerDefaults();

    interface ContainerDefaults {
        @WithDefault("100m")
        String cpuRequest();

        @WithDefault("500m")
        String cpuLimit();

        @WithDefault("128Mi")
        String memoryRequest();

        @WithDefault("256Mi")
        String memoryLimit();
    }
}
