package dev.berth.regions;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/** Configuration of regions: the default cluster, the sandbox, and the timing of reconcile and health loops. */
@ConfigMapping(prefix = "berth.regions")
public interface RegionsConfig {
    Sandbox sandbox();

    @WithName("default")
    DefaultRegion defaultRegion();

    /** Connect timeout towards every cluster: a slow cluster must not hold a worker for long. */
    @WithDefault("5s")
    Duration connectTimeout();

    @WithDefault("10s")
    Duration requestTimeout();

    /** Full resync of every region, catching up on anything a lost event or a crash left behind. */
    @WithDefault("60s")
    Duration resyncInterval();

    @WithDefault("10s")
    Duration healthInterval();

    /**
     * How often each instance compares its region connections with the stored regions, to catch up with regions
     * registered, changed or deleted through another instance (the instance that handles the change does so at once).
     */
    @WithDefault("15s")
    Duration followInterval();

    /**
     * How long a region's lease lasts (on the database's clock): only the instance holding it writes to the region.
     * Another instance takes over this long after the holder stopped renewing (crashed); a clean stop hands over
     * at the next renewal.
     */
    @WithDefault("30s")
    Duration leaseTtl();

    /** How often each instance renews its region leases and asks for expired ones; well under {@code lease-ttl}. */
    @WithDefault("10s")
    Duration leaseRenew();

    /**
     * How long an informer may stay without an open watch while its region's API server answers before it is
     * replaced by a new one (its own reconnects retry with backoff up to about 30 s).
     */
    @WithDefault("45s")
    Duration watchStallGrace();

    /** Namespace of the DNSEndpoints in regions that publish DNS ("system" is never a tenant, so no tenant has it). */
    @WithDefault("berth-system")
    String dnsNamespace();

    /** How long a region whose cluster lacks the DNSEndpoint CRD waits before Berth looks it up again. */
    @WithDefault("5m")
    Duration dnsCrdRecheck();

    /** Longest wait before a failed reconcile of a region is retried. */
    @WithDefault("60s")
    Duration maxBackoff();

    /** Apps' global hostnames are {@code <app>.<tenant>.<global domain>}, served by geo-DNS across regions. */
    @WithDefault("global.berth.localhost")
    String globalDomain();

    interface Sandbox {
        @WithDefault("false")
        boolean enabled();

        /** How long the simulated kubelet waits before it reports a Deployment's pods ready. */
        @WithDefault("1500ms")
        Duration readyDelay();
    }

    interface DefaultRegion {
        @WithDefault("local")
        String name();

        @WithDefault("Local cluster")
        String displayName();

        @WithDefault("apps.berth.localhost")
        String baseDomain();

        @WithDefault("nginx")
        String ingressClass();

        /** Namespace of the ingress controller: the only other namespace the default NetworkPolicy admits. */
        @WithDefault("ingress-nginx")
        String ingressNamespace();

        /** A kubeconfig file; without it Berth uses $KUBECONFIG, ~/.kube/config or the in-cluster account. */
        Optional<String> kubeconfig();

        Optional<String> context();

        /** An API server address reached without credentials (a local test server). */
        Optional<String> apiServerUrl();
    }
}
