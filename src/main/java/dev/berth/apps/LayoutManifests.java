package dev.berth.apps;

import dev.berth.kube.Labels;
import dev.berth.regions.RegionInfo;
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
 * after it, so the switch is one write, the Service's selector.
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
            Map<String, String> selectorExtra = selectorExtra(layout, t.label());
            Map<String, String> podExtra = new LinkedHashMap<>();
            if (t.release() > 0) {
                podExtra.put(Labels.RELEASE, Integer.toString(t.release()));
            }
            AppSpec spec = t.spec();
            if (!spec.secretEnv().isEmpty()) {
                objects.add(AppManifests.secret(spec, name, selectorExtra));
            }
            objects.add(AppManifests.deployment(spec, name, selectorExtra, podExtra, t.replicas(), strategy(layout)));
            canaryRunning |= "canary".equals(t.label());
        }
        Map<String, String> serviceSelector = AppLayout.BLUE_GREEN.equals(layout.strategy())
                ? Map.of(Labels.COLOR, layout.liveColor()) : Map.of();
        objects.add(AppManifests.service(app, app.name(), serviceSelector));
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

    private static Map<String, String> selectorExtra(AppLayout layout, String label) {
        if (label == null) {
            return Map.of();
        }
        return Map.of(AppLayout.CANARY.equals(layout.strategy()) ? Labels.TRACK : Labels.COLOR, label);
    }

    private static DeploymentStrategy strategy(AppLayout layout) {
        return switch (layout.strategy()) {
            // The idle colour serves nothing, so replacing its pods at once is the fastest safe way.
            case AppLayout.RECREATE, AppLayout.BLUE_GREEN -> AppManifests.recreateStrategy();
            default -> AppManifests.rollingStrategy(layout.maxSurge(), layout.maxUnavailable());
        };
    }
}
