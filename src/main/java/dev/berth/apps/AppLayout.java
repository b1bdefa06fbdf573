package dev.berth.apps;

import dev.berth.kube.Labels;
import java.util.List;

/**
 * How an app's workloads are laid out in a cluster right now, as its deploy strategy and rollout state say:
 * the strategy with its settings, the colour the Service sends traffic to (blue/green), and one {@link Track} per
 * Deployment, each running one release's image and configuration.
 *
 * <ul>
 * <li>{@code rolling} / {@code recreate}: one Deployment {@code <app>}; the Service selects the app's pods.</li>
 * <li>{@code blue-green}: {@code <app>-blue} and {@code <app>-green}; the Service selects {@code liveColor}.</li>
 * <li>{@code canary}: {@code <app>-stable} and, during a canary, {@code <app>-canary}; the Service selects the
 * stable track only, and a canary Ingress with ingress-nginx canary annotations sends {@code canaryWeight} percent
 * to the canary's own Service where the region's ingress controller is ingress-nginx, so the canary's share of
 * requests is exactly the weight (without ingress-nginx the Service selects both tracks, and the canary's share is
 * its share of the replicas).</li>
 * </ul>
 *
 * <p>During a change of strategy the tracks are those of both strategies: the new one's and the serving track of the
 * one it leaves. {@code strategy} is then the strategy whose Service selector applies: the leaving one until the new
 * serving Deployment is ready everywhere, the new one after that (see ADR 0009).
 */
public record AppLayout(String strategy, String maxSurge, String maxUnavailable, String liveColor, int canaryWeight,
        List<Track> tracks) {
    public static final String ROLLING = "rolling";
    public static final String RECREATE = "recreate";
    public static final String BLUE_GREEN = "blue-green";
    public static final String CANARY = "canary";
    public static final String STABLE = "stable";

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

    /**
     * The pod label that carries a track's {@code label}: {@code berth.dev/track} for {@code stable} and
     * {@code canary}, {@code berth.dev/color} for the colours; null for the single Deployment, whose pods carry neither.
     */
    public static String labelKey(String label) {
        if (label == null) {
            return null;
        }
        return STABLE.equals(label) || CANARY.equals(label) ? Labels.TRACK : Labels.COLOR;
    }

    /** The track that serves under {@code strategy}: the live colour, the stable track, or the single Deployment. */
    public static String servingLabel(String strategy, String liveColor) {
        return switch (strategy) {
            case BLUE_GREEN -> liveColor;
            case CANARY -> STABLE;
            default -> null;
        };
    }
}
