package dev.berth.apps;

import dev.berth.kube.Labels;
import dev.berth.kube.RegionInfo;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects of an app in one region for its {@link AppLayout}: a Deployment (and Secret) per track, the Service
 * and the Ingress, plus the canary Service and Ingress while a canary runs. Pure, like {@link AppManifests}.
 *
 * <p>A blue/green switch changes only {@link AppLayout#liveColor()}: the Deployments render identically before and
 * after it, so the switch is one write, the Service's selector. The main Service of a canary app selects the stable
 * track only (its pods carry {@code berth.dev/track: stable} from their first day), so the canary gets exactly the
 * canary Ingress's weight. Each Deployment renders from its own track's label, not from the layout's strategy, so
 * during a strategy change the leaving Deployment renders as it did before and is not written to.
 */
public final class LayoutManifests {
    /** ingress-nginx's canary annotations (see its "Canary" documentation). */
    public static final String NGINX_CANARY = "nginx.ingress.kubernetes.io/canary";
    public static final String NGINX_CANARY_WEIGHT = "nginx.ingress.kubernetes.io/canary-weight";

    private LayoutManifests() {
    }

    public static List<HasMetadata> desired(AppSpec app, AppLayout layout, RegionInfo region) {
        List<HasMetadata> objects = new ArrayList<>();
        boolean canaryRunning = false;
        for (AppLayout.Track t : layout.tracks()) {
            String name = AppLayout.deploymentName(app.name(), t.label());
            Map<String, String> selectorExtra = selectorExtra(t.label());
            Map<String, String> podExtra = new LinkedHashMap<>();
            if (t.release() > 0) {
                podExtra.put(Labels.RELEASE, Integer.toString(t.release()));
            }
            AppSpec spec = t.spec();
            if (!spec.secretEnv().isEmpty()) {
                objects.add(AppManifests.secret(spec, name, selectorExtra));
            }
            objects.add(AppManifests.deployment(spec, name, selectorExtra, podExtra, t.replicas(),
                    strategy(layout, t.label())));
            canaryRunning |= AppLayout.CANARY.equals(t.label());
        }
        objects.add(AppManifests.service(app, app.name(), serviceSelector(layout.strategy(), layout.liveColor(),
                region)));
        objects.add(AppManifests.ingress(app, region));
        if (canaryRunning && nginx(region)) {
            String canary = AppLayout.deploymentName(app.name(), "canary");
            objects.add(AppManifests.service(app, canary, Map.of(Labels.TRACK, "canary")));
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put(NGINX_CANARY, "true");
            annotations.put(NGINX_CANARY_WEIGHT, Integer.toString(layout.canaryWeight()));
            objects.add(AppManifests.ingress(app, region, canary, annotations));
        }
        return objects;
    }

    /** Canary Ingresses are ingress-nginx's; a region with the default class (none set) is assumed to run it. */
    static boolean nginx(RegionInfo region) {
        return region.ingressClass() == null || region.ingressClass().contains("nginx");
    }

    /**
     * What the app's Service selects beyond the app's labels under {@code strategy} in {@code region}: the live
     * colour, the stable track, or nothing more (every pod of the app, which under rolling and recreate is the one
     * Deployment's). A canary app in a region without ingress-nginx has no canary Ingress, so there its Service selects
     * both tracks and the canary's share follows its share of the replicas.
     */
    public static Map<String, String> serviceSelector(String strategy, String liveColor, RegionInfo region) {
        if (AppLayout.CANARY.equals(strategy) && !nginx(region)) {
            return Map.of();
        }
        String label = AppLayout.servingLabel(strategy, liveColor);
        return label == null ? Map.of() : Map.of(AppLayout.labelKey(label), label);
    }

    private static Map<String, String> selectorExtra(String label) {
        return label == null ? Map.of() : Map.of(AppLayout.labelKey(label), label);
    }

    private static DeploymentStrategy strategy(AppLayout layout, String label) {
        boolean colour = label != null && Labels.COLOR.equals(AppLayout.labelKey(label));
        // The idle colour serves nothing, so replacing its pods at once is the fastest safe way.
        if (colour || (label == null && AppLayout.RECREATE.equals(layout.strategy()))) {
            return AppManifests.recreateStrategy();
        }
        return AppManifests.rollingStrategy(layout.maxSurge(), layout.maxUnavailable());
    }
}
