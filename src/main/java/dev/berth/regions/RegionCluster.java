package dev.berth.regions;

import dev.berth.kube.ClusterCache;
import dev.berth.kube.ClusterWriter;
import dev.berth.kube.CustomResourceCache;
import dev.berth.kube.RegionInfo;
import dev.berth.kube.ScalingApis;
import dev.berth.kube.WriteCounter;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;

/**
 * One region's live connection: its Kubernetes client (with connect and request timeouts), its watch caches
 * and its writer. For the sandbox region it also owns the in-process API server.
 */
public final class RegionCluster implements AutoCloseable {
    public static final String DNS_API_VERSION = "externaldns.k8s.io/v1alpha1";
    public static final String DNS_KIND = "DNSEndpoint";
    /** external-dns's DNSEndpoint custom resource (group, version, plural), so writes need no API discovery. */
    public static final ResourceDefinitionContext DNS_ENDPOINTS = new ResourceDefinitionContext.Builder()
            .withGroup("externaldns.k8s.io").withVersion("v1alpha1").withKind(DNS_KIND).withPlural("dnsendpoints")
            .withNamespaced(true).build();
    private final RegionInfo info;
    private final KubernetesClient client;
    private final ClusterCache cache;
    private final ClusterWriter writer;
    private final KubernetesMockServer sandbox;
    private final CustomResourceCache dns;
    private final CustomResourceCache certificates;
    /** cert-manager's Certificates, which its ingress-shim keeps for Ingresses carrying its annotations. */
    public static final io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext CERTIFICATES =
            new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder().withGroup("cert-manager.io")
                    .withVersion("v1").withKind("Certificate").withPlural("certificates").withNamespaced(true).build();

    private RegionCluster(RegionInfo info, KubernetesClient client, KubernetesMockServer sandbox, WriteCounter counter) {
        this.info = info;
        this.client = client;
        this.sandbox = sandbox;
        // The sandbox's in-process API server accepts any kind and serves no discovery: it gets the newest versions.
        this.cache = sandbox != null ? new ClusterCache(client, c -> ScalingApis.NEWEST) : new ClusterCache(client);
        this.writer = new ClusterWriter(client, info.name(), counter);
        // First of the cache's listeners: the writer trusts the cache again before any reconcile the event wakes.
        cache.onManagedChange(writer::seen);
        this.dns = new CustomResourceCache(client, DNS_ENDPOINTS);
        this.certificates = new CustomResourceCache(client, CERTIFICATES);
    }

    static RegionCluster connect(Region region, String storedKubeconfig, RegionsConfig config, WriteCounter counter) {
        RegionInfo info = region.info();
        if (region.connectionKind == Region.ConnectionKind.SANDBOX) {
            KubernetesMockServer server = startSandboxServer();
            KubernetesClient client = server.createClient(b -> b.editOrNewConfig()
                    .withRequestTimeout((int) config.requestTimeout().toMillis())
                    .withUserAgent(ClusterWriter.FIELD_MANAGER).endConfig());
            return new RegionCluster(info, client, server, counter);
        }
        Config kube = switch (region.connectionKind) {
            case URL -> new ConfigBuilder(Config.empty()).withMasterUrl(region.kubeconfigPath).withTrustCerts(true)
                    .withNamespace("default").build();
            case KUBECONFIG -> fromKubeconfig(region.kubeconfigPath, region.kubeContext);
            case IN_CLUSTER -> Config.autoConfigure(null);
            case STORED -> Config.fromKubeconfig(region.kubeContext, storedKubeconfig, null);
            case SANDBOX -> throw new IllegalStateException("unreachable");
        };
        return new RegionCluster(info, client(kube, config.connectTimeout(), config.requestTimeout()), null, counter);
    }

    /** A client with Berth's timeouts and no client-side retries (the callers retry with their own backoff). */
    public static KubernetesClient client(Config kube, java.time.Duration connect, java.time.Duration request) {
        kube.setConnectionTimeout((int) connect.toMillis());
        kube.setRequestTimeout((int) request.toMillis());
        kube.setWatchReconnectInterval(1000);
        // No client-side retries: with the default 10 retries and exponential backoff one call to a dead cluster
        // blocks for about 30 s. The reconcile workers and the health loop retry with their own backoff.
        kube.setRequestRetryBackoffLimit(0);
        kube.setUserAgent(ClusterWriter.FIELD_MANAGER);
        return new KubernetesClientBuilder().withConfig(kube).build();
    }

    private static Config fromKubeconfig(String path, String context) {
        try {
            String content = Files.readString(Path.of(path));
            return Config.fromKubeconfig(context, content, path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kubeconfig " + path, e);
        }
    }

    /** An API server in this process (CRUD mode): stores objects, serves watches, runs no controllers. */
    public static KubernetesMockServer startSandboxServer() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        try {
            server.init(InetAddress.getLoopbackAddress(), 0);
        } catch (RuntimeException e) {
            server.destroy();
            throw e;
        }
        return server;
    }

    public RegionInfo info() {
        return info;
    }

    public KubernetesClient client() {
        return client;
    }

    public ClusterCache cache() {
        return cache;
    }

    public ClusterWriter writer() {
        return writer;
    }

    /** The watch cache of external-dns's DNSEndpoints, once the cluster is known to have the CRD. */
    public CustomResourceCache dns() {
        return dns;
    }

    /**
     * The watch cache of cert-manager's Certificates (those labelled as Berth's: ingress-shim copies the Ingress's
     * labels), once the cluster is known to serve {@code cert-manager.io/v1}.
     */
    public CustomResourceCache certificates() {
        return certificates;
    }

    @Override
    public void close() {
        certificates.close();
        dns.close();
        cache.close();
        client.close();
        if (sandbox != null) {
            sandbox.destroy();
        }
    }
}
