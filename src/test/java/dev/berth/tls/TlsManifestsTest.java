package dev.berth.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.apps.AppLayout;
import dev.berth.apps.AppManifests;
import dev.berth.apps.AppSpec;
import dev.berth.apps.LayoutManifests;
import dev.berth.kube.RegionInfo;
import dev.berth.testsupport.Fixtures;
import dev.berth.testsupport.Golden;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The Ingress TLS section, annotations and Secret Berth writes for each TLS mode, against reviewed golden YAML. */
class TlsManifestsTest {
    static final String CHAIN = "-----BEGIN CERTIFICATE-----\nMIIB...chain...\n-----END CERTIFICATE-----\n";
    static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIIE...key...\n-----END PRIVATE KEY-----\n";

    static RegionInfo withIssuer(RegionInfo r, String issuer) {
        return new RegionInfo(r.id(), r.name(), r.displayName(), r.baseDomain(), r.ingressClass(),
                r.ingressNamespace(), r.simulated(), issuer);
    }

    private static List<HasMetadata> tls(AppSpec app, TlsSpec tls, RegionInfo region) {
        List<HasMetadata> objects = new ArrayList<>(AppManifests.desired(app, region));
        TlsManifests.apply(objects, app, tls, region);
        return objects.stream().filter(o -> o instanceof Ingress || (o instanceof Secret s
                && "kubernetes.io/tls".equals(s.getType()))).toList();
    }

    private static Ingress ingress(List<HasMetadata> objects) {
        return objects.stream().filter(Ingress.class::isInstance).map(Ingress.class::cast).findFirst().orElseThrow();
    }

    @Test
    void certManagerModeAnnotatesTheIngressWithTheRegionsIssuerAndNamesASecretPerHost() {
        AppSpec app = Fixtures.app(new TreeMap<>(), "www.acme.example");
        Golden.assertMatches("tls-cert-manager.yaml", tls(app, new TlsSpec(TlsMode.CERT_MANAGER, true, null, null),
                withIssuer(Fixtures.region(), "letsencrypt-prod")));
    }

    @Test
    void uploadedModeWritesAKubernetesTlsSecretAndOptsOutOfTheRedirect() {
        List<HasMetadata> objects = tls(Fixtures.app(), new TlsSpec(TlsMode.UPLOADED, false, CHAIN, KEY),
                Fixtures.region());
        Golden.assertMatches("tls-uploaded.yaml", objects);
        Secret s = (Secret) objects.stream().filter(Secret.class::isInstance).findFirst().orElseThrow();
        assertThat(new String(Base64.getDecoder().decode(s.getData().get("tls.key")), StandardCharsets.UTF_8))
                .isEqualTo(KEY);
        assertThat(ingress(objects).getMetadata().getAnnotations()).doesNotContainKey(TlsManifests.CLUSTER_ISSUER);
    }

    @Test
    void certManagerModeInARegionWithoutIssuerLeavesTheIngressAsItIs() {
        AppSpec app = Fixtures.app();
        List<HasMetadata> plain = AppManifests.desired(app, Fixtures.region());
        List<HasMetadata> objects = tls(app, new TlsSpec(TlsMode.CERT_MANAGER, true, null, null), Fixtures.region());
        assertThat(Golden.yaml(objects)).isEqualTo(Golden.yaml(List.of(ingress(plain))));
        assertThat(TlsManifests.effective(new TlsSpec(TlsMode.CERT_MANAGER, true, null, null), Fixtures.region()))
                .isNull();
    }

    @Test
    void theRedirectAnnotationIsIngressNginxsAndLeftOutForOtherClasses() {
        RegionInfo r = Fixtures.region();
        RegionInfo traefik = new RegionInfo(r.id(), r.name(), r.displayName(), r.baseDomain(), "traefik",
                r.ingressNamespace(), r.simulated(), "issuer");
        Ingress i = ingress(tls(Fixtures.app(), new TlsSpec(TlsMode.CERT_MANAGER, true, null, null), traefik));
        assertThat(i.getMetadata().getAnnotations()).containsEntry(TlsManifests.CLUSTER_ISSUER, "issuer")
                .doesNotContainKey(TlsManifests.SSL_REDIRECT);
        assertThat(i.getSpec().getTls()).hasSize(1);
    }

    @Test
    void onlyTheAppsOwnIngressIsDecoratedNotTheCanarys() {
        AppSpec app = Fixtures.app();
        RegionInfo region = withIssuer(Fixtures.region(), "letsencrypt-prod");
        AppLayout canary = new AppLayout(AppLayout.CANARY, "25%", "0", null, 20, List.of(
                new AppLayout.Track("stable", app, 2, 1), new AppLayout.Track("canary", app, 1, 2)));
        List<HasMetadata> objects = new ArrayList<>(LayoutManifests.desired(app, canary, region));
        TlsManifests.apply(objects, app, new TlsSpec(TlsMode.CERT_MANAGER, true, null, null), region);
        List<Ingress> ingresses = objects.stream().filter(Ingress.class::isInstance).map(Ingress.class::cast).toList();
        assertThat(ingresses).hasSize(2);
        assertThat(ingresses).filteredOn(i -> i.getMetadata().getName().equals("web")).singleElement()
                .satisfies(i -> assertThat(i.getSpec().getTls()).hasSize(1));
        assertThat(ingresses).filteredOn(i -> !i.getMetadata().getName().equals("web")).singleElement()
                .satisfies(i -> {
                    assertThat(i.getSpec().getTls()).isEmpty();
                    assertThat(i.getMetadata().getAnnotations()).doesNotContainKey(TlsManifests.CLUSTER_ISSUER);
                });
    }

    @Test
    void aChangeOfModeReplacesTheIngressWhileAChangeWithinAModeIsPatched() {
        AppSpec app = Fixtures.app();
        RegionInfo region = withIssuer(Fixtures.region(), "letsencrypt-prod");
        Ingress plain = AppManifests.ingress(app, region);
        Ingress certManager = ingress(tls(app, new TlsSpec(TlsMode.CERT_MANAGER, true, null, null), region));
        Ingress noRedirect = ingress(tls(app, new TlsSpec(TlsMode.CERT_MANAGER, false, null, null), region));
        Ingress uploaded = ingress(tls(app, new TlsSpec(TlsMode.UPLOADED, true, CHAIN, KEY), region));
        assertThat(TlsManifests.modeChanged(plain, certManager)).isTrue();
        assertThat(TlsManifests.modeChanged(certManager, plain)).isTrue();
        assertThat(TlsManifests.modeChanged(certManager, uploaded)).isTrue();
        assertThat(TlsManifests.modeChanged(certManager, noRedirect)).isFalse();
        assertThat(TlsManifests.modeChanged(plain, AppManifests.ingress(app, region))).isFalse();
    }
}
