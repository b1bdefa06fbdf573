package dev.berth.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonDiff;
import java.util.Iterator;
import java.util.Map;

/**
 * Builds the JSON merge patch (RFC 7386) that makes an object in a cluster carry Berth's desired fields. Lists
 * are replaced whole by merge patch semantics; in the maps Berth owns whole ({@link DriftCheck#EXACT_MAPS}) keys
 * that are no longer desired are removed with explicit nulls. Fields Berth does not set are left alone.
 *
 * <p>The merge patch is applied here, to the object as Berth last saw it, and sent as the equivalent JSON Patch
 * (RFC 6902) of only the differing paths ({@link #jsonPatch}). The Fabric8 CRUD mock server does not
 * implement RFC 7386 (it appends to lists and stores nulls instead of removing keys), while both it and real API
 * servers apply JSON Patch the same way, so tests exercise the write path real clusters get.
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

    /**
     * The JSON Patch that turns {@code actual} into {@code actual} merged with Berth's desired fields. It touches
     * only the paths that differ, so fields others changed since Berth's cache saw the object are left alone.
     * (No "test" of the resourceVersion: the CRUD mock server does not answer a failed test at all, which would
     * block a worker until the request timeout; a stale base is corrected by the next reconcile.)
     */
    public static String jsonPatch(HasMetadata desired, HasMetadata actual) {
        ObjectNode have = Serialization.jsonMapper().valueToTree(actual);
        have.remove("status");
        JsonNode target = apply(have, parse(build(desired, actual)));
        return JsonDiff.asJson(have, target).toString();
    }

    /** Applies a JSON merge patch the way RFC 7386 defines it: objects merge, nulls remove, the rest replaces. */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : Serialization.jsonMapper().createObjectNode();
        patch.fields().forEachRemaining(f -> {
            if (f.getValue().isNull()) {
                result.remove(f.getKey());
            } else {
                result.set(f.getKey(), apply(result.get(f.getKey()), f.getValue()));
            }
        });
        return result;
    }

    private static JsonNode parse(String json) {
        try {
            return Serialization.jsonMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
