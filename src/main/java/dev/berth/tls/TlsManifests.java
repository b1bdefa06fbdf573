package dev.berth.tls;

import dev.berth.apps.AppManifests;
import dev.berth.apps.AppSpec;
import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.kube.RegionInfo;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure functions that add an app's TLS to its objects in one region: the app's Ingress gets a {@code spec.tls} entry
 * for its host with a Secret name derived from the app, the ingress-nginx redirect annotation, and either the
 * cert-manager annotation naming the region's ClusterIssuer (cert-manager's ingress-shim then keeps a Certificate of
 * that name and writes the Secret) or, for an uploaded certificate, the {@code kubernetes.io/tls} Secret itself.
 *
 * <p>The Ingress carries the TLS mode it was written for ({@value #MODE}). Berth's write path never removes a key
 * another writer could have added (annotations, fields it does not set), so a change of mode (TLS switched on or off,
 * another source of certificates) replaces the Ingress instead of patching it ({@link #modeChanged}).
 */
public final class TlsManifests {
    public static final String CLUSTER_ISSUER = "cert-manager.io/cluster-issuer";
    public static final String SSL_REDIRECT = "nginx.ingress.kubernetes.io/ssl-redirect";
    public static final String MODE = "berth.dev/tls";
    public static final String OFF = "off";

    private TlsManifests() {
    }

    /** The Secret holding the app's certificate: cert-manager writes {@code <app>-tls}, Berth {@code <app>-tls-uploaded}. */
    public static String secretName(String app, TlsMode mode) {
        return app + (mode == TlsMode.UPLOADED ? "-tls-uploaded" : "-tls");
    }

    /** The mode TLS takes in this region: cert-manager needs the region's issuer; null means HTTP only. */
    public static TlsMode effective(TlsSpec tls, RegionInfo region) {
        if (tls == null) {
            return null;
        }
        return tls.mode() == TlsMode.CERT_MANAGER && region.tlsIssuer() == null ? null : tls.mode();
    }

    /**
     * Adds the app's TLS to {@code objects} (the app's objects in the region, as {@link AppManifests} or the layout
     * renders them): the Ingress named after the app is decorated, and an uploaded certificate's Secret added.
     */
    public static void apply(List<HasMetadata> objects, AppSpec app, TlsSpec tls, RegionInfo region) {
        TlsMode mode = effective(tls, region);
        for (HasMetadata o : objects) {
            if (o instanceof Ingress ingress && app.name().equals(ingress.getMetadata().getName())) {
                decorate(ingress, app, tls, mode, region);
            }
        }
        if (mode == TlsMode.UPLOADED) {
            objects.add(secret(app, tls));
        }
    }

    static void decorate(Ingress ingress, AppSpec app, TlsSpec tls, TlsMode mode, RegionInfo region) {
        if (mode == null) {
            return;
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        if (ingress.getMetadata().getAnnotations() != null) {
            annotations.putAll(ingress.getMetadata().getAnnotations());
        }
        annotations.put(MODE, mode.value());
        if (mode == TlsMode.CERT_MANAGER) {
            annotations.put(CLUSTER_ISSUER, region.tlsIssuer());
        }
        if (nginx(region)) {
            annotations.put(SSL_REDIRECT, Boolean.toString(tls.sslRedirect()));
        }
        ingress.getMetadata().setAnnotations(annotations);
        ingress.getSpec().setTls(List.of(new IngressTLSBuilder().withHosts(AppManifests.host(app, region))
                .withSecretName(secretName(app.name(), mode)).build()));
    }

    /** The uploaded certificate chain and key as the Secret ingress controllers read ({@code tls.crt}, {@code tls.key}). */
    static Secret secret(AppSpec app, TlsSpec tls) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("tls.crt", base64(tls.chainPem()));
        data.put("tls.key", base64(tls.keyPem()));
        return new SecretBuilder().withNewMetadata().withName(secretName(app.name(), TlsMode.UPLOADED))
                .withNamespace(Names.namespace(app.tenant())).withLabels(Labels.app(app.tenant(), app.name()))
                .endMetadata().withType("kubernetes.io/tls").withData(data).build();
    }

    /**
     * Whether the cached Ingress was written for another TLS mode than the desired one (no mode: HTTP only, as every
     * Ingress written before Berth knew of TLS): it is then replaced, not patched.
     */
    public static boolean modeChanged(HasMetadata cached, HasMetadata desired) {
        if (!(cached instanceof Ingress) || !(desired instanceof Ingress)) {
            return false;
        }
        return !mode(desired).equals(mode(cached));
    }

    private static String mode(HasMetadata o) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null || a.get(MODE) == null ? OFF : a.get(MODE);
    }

    /** ingress-nginx reads the redirect annotation; a region with no class set is assumed to run it. */
    static boolean nginx(RegionInfo region) {
        return region.ingressClass() == null || region.ingressClass().contains("nginx");
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
