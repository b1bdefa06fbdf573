package dev.berth.apps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.kube.Labels;
import dev.berth.testsupport.Fixtures;
import dev.berth.testsupport.Golden;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AppManifestsTest {
    private static <T> T only(List<HasMetadata> objects, Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).findFirst().orElseThrow();
    }

    private static Deployment deployment(AppSpec app) {
        return only(AppManifests.desired(app, Fixtures.region()), Deployment.class);
    }

    @Test
    void appObjectsMatchTheReviewedGoldenYaml() {
        Golden.assertMatches("app-web.yaml", AppManifests.desired(Fixtures.app(), Fixtures.region()));
    }

    @Test
    void appWithoutSecretsAndWithCustomDomainMatchesTheReviewedGoldenYaml() {
        Golden.assertMatches("app-web-custom-domain.yaml",
                AppManifests.desired(Fixtures.app(new TreeMap<>(), "www.acme.example"), Fixtures.region()));
    }

    @Test
    void appWithoutSecretEnvGetsNoSecret() {
        assertThat(AppManifests.desired(Fixtures.app(new TreeMap<>(), null), Fixtures.region()))
                .extracting(HasMetadata::getKind).containsExactly("Deployment", "Service", "Ingress");
    }

    @Test
    void deploymentSelectorStaysTheSameWhenEverythingElseChanges() {
        AppSpec a = Fixtures.app();
        AppSpec b = new AppSpec("acme", "web", "other.example/acme/web:2", 9090, 7, 200, 1000, 1L << 28, 1L << 29,
                null, "www.acme.example", new TreeMap<>(), new TreeMap<>(Map.of("X", "y")));
        assertThat(deployment(b).getSpec().getSelector()).isEqualTo(deployment(a).getSpec().getSelector());
        assertThat(deployment(a).getSpec().getSelector().getMatchLabels())
                .isEqualTo(Map.of(Labels.TENANT, "acme", Labels.APP, "web"));
        assertThat(deployment(a).getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(deployment(a).getSpec().getSelector().getMatchLabels());
    }

    @Test
    void podsFollowRestrictedPodSecurity() {
        var pod = deployment(Fixtures.app()).getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        var c = pod.getContainers().get(0).getSecurityContext();
        assertThat(c.getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getRunAsNonRoot()).isTrue();
        assertThat(c.getCapabilities().getDrop()).containsExactly("ALL");
    }

    @Test
    void rollingUpdateNeverTakesAReadyPodAwayFirst() {
        var strategy = deployment(Fixtures.app()).getSpec().getStrategy();
        assertThat(strategy.getType()).isEqualTo("RollingUpdate");
        assertThat(strategy.getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
    }

    @Test
    void secretValuesReachPodsOnlyThroughSecretKeyRefs() {
        List<HasMetadata> objects = AppManifests.desired(Fixtures.app(), Fixtures.region());
        var env = only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        var secretVar = env.stream().filter(e -> e.getName().equals("DB_PASSWORD")).findFirst().orElseThrow();
        assertThat(secretVar.getValue()).isNull();
        assertThat(secretVar.getValueFrom().getSecretKeyRef().getName()).isEqualTo("web-env");
        assertThat(secretVar.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("DB_PASSWORD");
        assertThat(Golden.yaml(List.of(only(objects, Deployment.class)))).doesNotContain("s3cret");
        Secret secret = only(objects, Secret.class);
        assertThat(new String(Base64.getDecoder().decode(secret.getData().get("DB_PASSWORD")), StandardCharsets.UTF_8))
                .isEqualTo("s3cret");
    }

    @Test
    void changingASecretValueChangesThePodTemplateHashSoPodsRestart() {
        String before = deployment(Fixtures.app()).getSpec().getTemplate().getMetadata().getAnnotations()
                .get(Labels.SECRET_HASH);
        String after = deployment(Fixtures.app(new TreeMap<>(Map.of("DB_PASSWORD", "rotated")), null))
                .getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.SECRET_HASH);
        assertThat(before).isNotBlank().doesNotContain("s3cret");
        assertThat(after).isNotBlank().isNotEqualTo(before);
    }

    @Test
    void ingressServesTheAppAtItsTenantSubdomainOrItsCustomDomain() {
        Ingress standard = only(AppManifests.desired(Fixtures.app(), Fixtures.region()), Ingress.class);
        assertThat(standard.getSpec().getRules().get(0).getHost()).isEqualTo("web.acme.apps.berth.localhost");
        Ingress custom = only(AppManifests.desired(Fixtures.app(new TreeMap<>(), "www.acme.example"),
                Fixtures.region()), Ingress.class);
        assertThat(custom.getSpec().getRules().get(0).getHost()).isEqualTo("www.acme.example");
        assertThat(custom.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().getName())
                .isEqualTo("web");
    }
}
