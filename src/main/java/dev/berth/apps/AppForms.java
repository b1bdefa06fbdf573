package dev.berth.apps;

import dev.berth.api.FieldError;
import dev.berth.ui.FormInput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;

/**
 * The HTML forms that create and change apps, with inputs named exactly like the API's fields so that refused
 * fields are shown next to their input. Each form turns into the service's request record.
 */
public final class AppForms {
    private AppForms() {
    }

    /** Inputs shared by the new-app form and the settings form; a field left out of the post stays null. */
    public static class Fields {
        @RestForm
        public String image;
        @RestForm
        public String port;
        @RestForm
        public String replicas;
        @RestForm("resources.cpuRequest")
        public String cpuRequest;
        @RestForm("resources.cpuLimit")
        public String cpuLimit;
        @RestForm("resources.memoryRequest")
        public String memoryRequest;
        @RestForm("resources.memoryLimit")
        public String memoryLimit;
        @RestForm
        public String healthPath;
        @RestForm
        public String customDomain;
        @RestForm
        public String env;

        AppRequests.Resources resources() {
            if (cpuRequest == null && cpuLimit == null && memoryRequest == null && memoryLimit == null) {
                return null;
            }
            return new AppRequests.Resources(FormInput.text(cpuRequest), FormInput.text(cpuLimit),
                    FormInput.text(memoryRequest), FormInput.text(memoryLimit));
        }

        /** The posted values, to show again after a refusal. Secret values are never echoed back. */
        public Map<String, String> values() {
            Map<String, String> m = new LinkedHashMap<>();
            put(m, "image", image);
            put(m, "port", port);
            put(m, "replicas", replicas);
            put(m, "resources.cpuRequest", cpuRequest);
            put(m, "resources.cpuLimit", cpuLimit);
            put(m, "resources.memoryRequest", memoryRequest);
            put(m, "resources.memoryLimit", memoryLimit);
            put(m, "healthPath", healthPath);
            put(m, "customDomain", customDomain);
            put(m, "env", env);
            return m;
        }

        /** An update with only the posted fields; an empty health path or domain removes it. */
        public AppRequests.Update toUpdate() {
            List<FieldError> errors = new ArrayList<>();
            AppRequests.Update u = new AppRequests.Update(FormInput.text(image), FormInput.number("port", port, errors),
                    FormInput.number("replicas", replicas, errors), resources(),
                    healthPath == null ? null : healthPath.trim(), customDomain == null ? null : customDomain.trim(),
                    FormInput.env("env", env, errors), null, null);
            FormInput.throwIfAny(errors);
            return u;
        }
    }

    /** The new-app form: the shared fields plus a name and the initial secrets (KEY=VALUE lines). */
    public static class NewApp extends Fields {
        @RestForm
        public String name;
        @RestForm
        public String secretEnv;

        @Override
        public Map<String, String> values() {
            Map<String, String> m = new LinkedHashMap<>();
            put(m, "name", name);
            m.putAll(super.values());
            return m;
        }

        public AppRequests.Create toCreate() {
            List<FieldError> errors = new ArrayList<>();
            AppRequests.Create c = new AppRequests.Create(FormInput.text(name), FormInput.text(image),
                    FormInput.number("port", port, errors), FormInput.number("replicas", replicas, errors),
                    resources(), FormInput.text(healthPath), FormInput.text(customDomain),
                    FormInput.env("env", env == null ? "" : env, errors),
                    FormInput.env("secretEnv", secretEnv == null ? "" : secretEnv, errors));
            FormInput.throwIfAny(errors);
            return c;
        }
    }

    /** The defaults the new-app form starts with. */
    public static Map<String, String> newAppDefaults() {
        return Map.of("port", "8080", "replicas", "1", "resources.cpuRequest", "100m", "resources.cpuLimit", "500m",
                "resources.memoryRequest", "128Mi", "resources.memoryLimit", "256Mi");
    }

    /** The settings form filled in from the app as it is. */
    public static Map<String, String> valuesOf(AppView a) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("image", a.image());
        m.put("port", String.valueOf(a.port()));
        m.put("replicas", String.valueOf(a.replicas()));
        m.put("resources.cpuRequest", a.resources().cpuRequest());
        m.put("resources.cpuLimit", a.resources().cpuLimit());
        m.put("resources.memoryRequest", a.resources().memoryRequest());
        m.put("resources.memoryLimit", a.resources().memoryLimit());
        m.put("healthPath", a.healthPath() == null ? "" : a.healthPath());
        m.put("customDomain", a.customDomain() == null ? "" : a.customDomain());
        m.put("env", FormInput.envText(a.env()));
        return m;
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
