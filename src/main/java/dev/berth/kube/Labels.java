package dev.berth.kube;

import java.util.LinkedHashMap;
import java.util.Map;

/** The standard labels Berth puts on every object it owns, and the selectors derived from them. */
public final class Labels {
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "berth";
    /** The manager of the builder Jobs and their namespaces' objects, which Berth's reconcilers leave alone. */
    public static final String BUILDS_MANAGER = "berth-builds";
    public static final String NAME = "app.kubernetes.io/name";
    public static final String PART_OF = "app.kubernetes.io/part-of";
    public static final String TENANT = "berth.dev/tenant";
    public static final String APP = "berth.dev/app";
    public static final String RELEASE = "berth.dev/release";
    public static final String COLOR = "berth.dev/color";
    /** The track of a canary-strategy app's pods: {@code stable} or {@code canary}. */
    public static final String TRACK = "berth.dev/track";
    /** Annotation carrying a hash of an app's secret values, so pods restart when a secret changes. */
    public static final String SECRET_HASH = "berth.dev/secret-hash";
    public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + MANAGER;

    private Labels() {
    }

    public static Map<String, String> tenant(String tenant) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, MANAGER);
        labels.put(TENANT, tenant);
        return labels;
    }

    public static Map<String, String> app(String tenant, String app) {
        Map<String, String> labels = tenant(tenant);
        labels.put(NAME, app);
        labels.put(APP, app);
        return labels;
    }

    /** The pod selector of an app: it never changes over the app's life (a Deployment's selector is immutable). */
    public static Map<String, String> appSelector(String tenant, String app) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(TENANT, tenant);
        labels.put(APP, app);
        return labels;
    }
}
