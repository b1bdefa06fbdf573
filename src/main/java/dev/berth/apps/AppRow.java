package dev.berth.apps;

import java.time.Instant;

/**
 * The columns an app list needs, read by a projection query: no env maps, no sealed secrets, no entity state to
 * track, so a page of apps costs one small query.
 */
public record AppRow(String name, String image, int replicas, String customDomain, Instant updatedAt) {
}
