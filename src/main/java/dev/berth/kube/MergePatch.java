package dev.berth.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.Map;

/**
 * Builds the JSON merge patch (RFC 7386) that makes an object in a cluster carry Berth's desired fields. Lists
 * are replaced whole by merge patch semantics; in the maps Berth owns whole ({@link DriftCheck#EXACT_MAPS}) keys
 * that are no longer desired are removed with explicit nulls. Fields Berth does not set are left alone.
 */
public final class MergePatch {
    private MergePatch() {
    }

    public static String build(HasMetadata desired, HasMetadata actual) {
        ObjectNode patch = Serialization.jsonMapper().valueToTree(desired);
        patch.remove("status");
        if (actual != null) {
            removeStaleKeys("", patch, Serialization.jsonMapper().valueToTree(actual));
        }
        return patch.toString();
    }

    private static void removeStaleKeys(String key, ObjectNode want, JsonNode have) {
        if (have == null || !have.isObject()) {
            return;
        }
        if (DriftCheck.EXACT_MAPS.contains(key)) {
            Iterator<String> names = have.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!want.has(name)) {
                    want.putNull(name);
                }
            }
        }
        Iterator<Map.Entry<String, JsonNode>> fields = want.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getValue().isObject()) {
                removeStaleKeys(f.getKey(), (ObjectNode) f.getValue(), have.get(f.getKey()));
            }
        }
    }
}
