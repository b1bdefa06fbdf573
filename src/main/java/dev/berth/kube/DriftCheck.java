package dev.berth.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether the object in a cluster already carries everything Berth wants. The desired object must be
 * a subset of the actual one: fields the API server adds (defaults, status, managed fields) are ignored, lists
 * must match element by element, and quantities compare by amount. This replaces field-by-field getter
 * comparisons, which silently miss fields added later.
 */
public final class DriftCheck {
    private static final Set<String> QUANTITY_PARENTS =
            Set.of("requests", "limits", "hard", "default", "defaultRequest", "max", "min");
    /**
     * Maps Berth owns whole: a key removed from the desired map is drift, and the patch removes it too. A
     * Deployment's {@code strategy} is one: {@code rollingUpdate} must leave it when the type becomes Recreate.
     */
    static final Set<String> EXACT_MAPS = Set.of("data", "selector", "matchLabels", "strategy");
    private static final Set<String> METADATA_COMPARED = Set.of("labels", "annotations", "name", "namespace");

    private DriftCheck() {
    }

    public static boolean covers(HasMetadata desired, HasMetadata actual) {
        if (actual == null) {
            return false;
        }
        JsonNode want = Serialization.jsonMapper().valueToTree(desired);
        JsonNode have = Serialization.jsonMapper().valueToTree(actual);
        Iterator<Map.Entry<String, JsonNode>> fields = want.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = f.getKey();
            if (key.equals("status") || key.equals("apiVersion") || key.equals("kind")) {
                continue;
            }
            if (key.equals("metadata")) {
                if (!metadataCovered(f.getValue(), have.path("metadata"))) {
                    return false;
                }
            } else if (!covers("", key, f.getValue(), have.get(key))) {
                return false;
            }
        }
        return true;
    }

    private static boolean metadataCovered(JsonNode want, JsonNode have) {
        for (String key : METADATA_COMPARED) {
            if (want.has(key) && !covers("metadata", key, want.get(key), have.get(key))) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code key} is the key under which {@code want} sits and {@code container} the key of the object holding
     * it; quantities are recognised by their container ("requests", "limits", "hard", ...).
     */
    static boolean covers(String container, String key, JsonNode want, JsonNode have) {
        if (want == null || want.isNull()) {
            return true;
        }
        if (have == null || have.isNull() || have.isMissingNode()) {
            return (want.isObject() || want.isArray()) && want.isEmpty();
        }
        if (want.isObject()) {
            if (!have.isObject() || (EXACT_MAPS.contains(key) && have.size() != want.size())) {
                return false;
            }
            Iterator<Map.Entry<String, JsonNode>> fields = want.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (!covers(key, f.getKey(), f.getValue(), have.get(f.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (want.isArray()) {
            if (!have.isArray() || have.size() != want.size()) {
                return false;
            }
            for (int i = 0; i < want.size(); i++) {
                if (!covers(container, key, want.get(i), have.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (want.equals(have)) {
            return true;
        }
        return want.isTextual() && have.isTextual() && QUANTITY_PARENTS.contains(container)
                && Quantities.sameAmount(want.asText(), have.asText());
    }
}
