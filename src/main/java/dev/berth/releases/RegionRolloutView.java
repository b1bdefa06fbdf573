package dev.berth.releases;

import java.util.List;

/**
 * An app's rollout as it stands in each of its regions, for the app page: what every region runs and serves, how
 * far the release in progress has come there, and the waves of the latest rollout. Built by {@link RegionRollouts}
 * from PostgreSQL (rollout, deploy layout, placement) and the regions' watch caches, never from a cluster call.
 *
 * @param release the number of the latest rollout's release (null when the app never had one)
 * @param state the latest rollout's state ({@code deploying}, {@code wave-paused}, {@code holding}, ...)
 * @param waves the latest rollout's waves; empty when it reached every region at once
 */
public record RegionRolloutView(String strategy, Integer release, RolloutState state, String reason, List<Wave> waves,
        List<RegionRow> regions) {

    /** One wave: its 1-based number, its regions and where the rollout stands with it. */
    public record Wave(int number, List<String> regions, WaveState status) {
        public boolean current() {
            return status.marked();
        }
    }

    /**
     * One region of the app.
     *
     * @param role {@code primary} or {@code replica}
     * @param release the release the region serves (the live colour's or stable track's on blue/green and canary)
     * @param image that release's image, short: the digest's first 12 hex digits, or the tag
     * @param pinned true while the region keeps an earlier release, waiting for a later wave (or stopped by a failed
     *     or aborted rollout)
     * @param liveColor blue/green: the colour the region's Service selects
     * @param canaryWeight canary: the ingress weight of a canary running in the region (null: no canary there)
     * @param target the release the rollout deploys in the region (null when none is in progress there)
     * @param targetReady ready pods of {@code target} in the region (from the watch cache)
     * @param targetDesired pods {@code target} should have there
     * @param reachable the region's API server answered the last health probe (null: not probed yet)
     * @param appReady ready pods of the serving release in the region, of {@code appDesired}
     * @param known false while the region's watch caches are not synced (the counts are then unknown)
     */
    public record RegionRow(String region, String role, Integer release, String image, boolean pinned,
            String liveColor, Integer canaryWeight, Integer target, int targetReady, int targetDesired,
            Boolean reachable, int appReady, int appDesired, boolean known) {

        public String targetLabel() {
            return "ready pods of release #" + target;
        }

        public int targetPercent() {
            return targetDesired == 0 ? 100 : Math.min(100, targetReady * 100 / targetDesired);
        }

        /** One word for the app's health in the region: ready, degraded, down or unknown. */
        public String health() {
            if (Boolean.FALSE.equals(reachable) || !known) {
                return "unknown";
            }
            return appReady >= appDesired ? "ready" : appReady > 0 ? "degraded" : "down";
        }

        /** The matching state class of the status tags. */
        public String healthClass() {
            return switch (health()) {
                case "ready" -> "state-running";
                case "degraded" -> "state-progressing";
                case "down" -> "state-degraded";
                default -> "state-unknown";
            };
        }
    }
}
