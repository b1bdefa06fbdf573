package dev.berth.apps;

import java.util.List;

/**
 * How an app's workloads are laid out in a cluster right now, as its deploy strategy and rollout state say:
 * the strategy with its settings, the colour the Service sends traffic to (blue/green), and one {@link Track} per
 * Deployment, each running one release's image and configuration.
 *
 * <ul>
 * <li>{@code rolling} / {@code recreate}: one Deployment {@code <app>}.</li>
 * <li>{@code blue-green}: {@code <app>-blue} and {@code <app>-green}; the Service selects {@code liveColor}.</li>
 * <li>{@code canary}: {@code <app>-stable} and, during a canary, {@code <app>-canary}; the Service selects both
 * (traffic by replica ratio), and a canary Ingress with ingress-nginx canary annotations sends
 * {@code canaryWeight} percent to the canary where the region's ingress controller is ingress-nginx.</li>
 * </ul>
 */
public record AppLayout(String strategy, String maxSurge, String maxUnavailable, String liveColor, int canaryWeight,
        List<Track> tracks) {
    public static final String ROLLING = "rolling";
    public static final String RECREATE = "recreate";
    public static final String BLUE_GREEN = "blue-green";
    public static final String CANARY = "canary";

    /**
     * One Deployment: {@code label} is its colour or track ({@code blue}, {@code green}, {@code stable},
     * {@code canary}; null for the single Deployment of rolling and recreate), {@code spec} the release's image and
     * configuration, {@code release} its number.
     */
    public record Track(String label, AppSpec spec, int replicas, int release) {
    }

    /** The layout of an app deployed the default way, one rolling Deployment (apps without a release yet). */
    public static AppLayout rolling(AppSpec app) {
        return new AppLayout(ROLLING, "25%", "0", null, 0, List.of(new Track(null, app, app.replicas(), 0)));
    }

    /** The name of the Deployment (and its Secret prefix) of a track. */
    public static String deploymentName(String app, String label) {
        return label == null ? app : app + "-" + label;
    }
}
