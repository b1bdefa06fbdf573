package dev.berth.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class MergePatchTest {
    private static JsonNode parse(String json) throws Exception {
        return Serialization.jsonMapper().readTree(json);
    }

    private static Secret secret(String... kv) {
        SecretBuilder b = new SecretBuilder().withNewMetadata().withName("web-env").withNamespace("berth-acme")
                .addToLabels(Labels.MANAGED_BY, "berth").endMetadata();
        for (int i = 0; i < kv.length; i += 2) {
            b.addToData(kv[i], kv[i + 1]);
        }
        return b.build();
    }

    @Test
    void keysRemovedFromAnExactMapAreDeletedWithNulls() throws Exception {
        Secret have = secret("A", "YQ==", "OLD", "b2xk");
        JsonNode patch = parse(MergePatch.build(secret("A", "YQ=="), have));
        assertThat(patch.path("data").has("OLD")).isTrue();
        assertThat(patch.path("data").get("OLD").isNull()).isTrue();
        assertThat(patch.path("data").get("A").asText()).isEqualTo("YQ==");
    }

    @Test
    void staleServiceSelectorKeysAreDeleted() throws Exception {
        Service want = new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("berth.dev/app", "web").endSpec().build();
        Service have = Serialization.clone(want);
        have.getSpec().getSelector().put("stale", "yes");
        have.getSpec().setClusterIP("10.0.0.1");
        JsonNode patch = parse(MergePatch.build(want, have));
        assertThat(patch.path("spec").path("selector").get("stale").isNull()).isTrue();
        assertThat(patch.path("spec").has("clusterIP")).as("fields Berth does not own are left alone").isFalse();
    }

    @Test
    void keysOfMapsBerthDoesNotOwnWholeAreLeftAlone() throws Exception {
        Secret have = secret("A", "YQ==");
        have.getMetadata().getLabels().put("team-label", "keep");
        JsonNode patch = parse(MergePatch.build(secret("A", "YQ=="), have));
        assertThat(patch.path("metadata").path("labels").has("team-label")).isFalse();
    }

    @Test
    void statusIsNeverPatched() throws Exception {
        var d = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder().withNewMetadata().withName("web")
                .endMetadata().withNewStatus().withReplicas(3).endStatus().build();
        assertThat(parse(MergePatch.build(d, null)).has("status")).isFalse();
    }

    @Test
    void jsonPatchTouchesOnlyDifferingPathsAndRemovesStaleKeys() throws Exception {
        Secret have = secret("A", "YQ==", "OLD", "b2xk");
        have.getMetadata().setResourceVersion("7");
        have.getMetadata().getLabels().put("team-label", "keep");
        JsonNode ops = parse(MergePatch.jsonPatch(secret("A", "YQ=="), have));
        assertThat(ops).hasSize(1);
        assertThat(ops.get(0).get("op").asText()).isEqualTo("remove");
        assertThat(ops.get(0).get("path").asText()).isEqualTo("/data/OLD");
    }

    @Test
    void mergeReplacesListsWhole() throws Exception {
        JsonNode merged = MergePatch.apply(parse("{\"l\":[1,2,3],\"k\":1}"), parse("{\"l\":[4]}"));
        assertThat(merged.toString()).isEqualTo("{\"l\":[4],\"k\":1}");
    }

    @Test
    void appliedPatchMakesTheObjectCoverTheDesiredState() throws Exception {
        Secret want = secret("A", "YQ==");
        Secret have = secret("A", "eA==", "OLD", "b2xk");
        JsonNode merged = MergePatch.apply(Serialization.jsonMapper().valueToTree(have), parse(MergePatch.build(want, have)));
        Secret result = Serialization.jsonMapper().treeToValue(merged, Secret.class);
        assertThat(result.getData()).containsOnlyKeys("A");
        assertThat(DriftCheck.covers(want, result)).isTrue();
    }
}
