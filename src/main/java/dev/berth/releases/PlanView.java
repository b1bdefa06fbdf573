package dev.berth.releases;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * What a deploy would do, like {@code terraform plan}: the release it would create (none when nothing changes)
 * and, per region, the app's Kubernetes objects that would be created, changed (with the field-level JSON Patch
 * operations) or deleted, against what the region's watch cache shows now. Pass {@code fingerprint} back as
 * {@code planFingerprint} to apply exactly this plan; apply is refused (409) if the desired state has changed since.
 */
public record PlanView(String fingerprint, Integer release, String image, Map<String, Object> configDiff,
        List<RegionPlan> regions) {

    public record RegionPlan(String region, List<String> create, List<Change> change, List<String> delete) {
    }

    /** One changed object: {@code object} is Kind/name, {@code operations} the JSON Patch of Berth's fields. */
    public record Change(String object, JsonNode operations) {
    }

    public boolean empty() {
        return regions.stream().allMatch(r -> r.create().isEmpty() && r.change().isEmpty() && r.delete().isEmpty());
    }
}
