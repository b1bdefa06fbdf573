package dev.berth.tenants;

import dev.berth.api.FieldError;
import dev.berth.quotas.LimitsRequest;
import dev.berth.ui.FormInput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;

/**
 * The plan-and-overrides form of a tenant's settings page, named as in the API ({@code overrides.*}). An empty
 * override field means "as the plan says": the form sends the whole set of overrides, which replaces the tenant's.
 */
public class LimitsForm {
    static final List<String> OVERRIDES = List.of("cpuRequest", "cpuLimit", "memoryRequest", "memoryLimit", "pods",
            "apps", "replicasPerApp", "concurrentBuilds", "buildMinutesPerMonth", "regions", "customDomains",
            "buildTimeoutMinutes");
    @RestForm
    public String displayName;
    @RestForm
    public String plan;
    @RestForm("overrides.cpuRequest")
    public String cpuRequest;
    @RestForm("overrides.cpuLimit")
    public String cpuLimit;
    @RestForm("overrides.memoryRequest")
    public String memoryRequest;
    @RestForm("overrides.memoryLimit")
    public String memoryLimit;
    @RestForm("overrides.pods")
    public String pods;
    @RestForm("overrides.apps")
    public String apps;
    @RestForm("overrides.replicasPerApp")
    public String replicasPerApp;
    @RestForm("overrides.concurrentBuilds")
    public String concurrentBuilds;
    @RestForm("overrides.buildMinutesPerMonth")
    public String buildMinutesPerMonth;
    @RestForm("overrides.regions")
    public String regions;
    @RestForm("overrides.customDomains")
    public String customDomains;
    @RestForm("overrides.buildTimeoutMinutes")
    public String buildTimeoutMinutes;

    /** The form as the tenant is now: its display name, plan and overrides (empty where the plan's value holds). */
    static Map<String, String> valuesOf(TenantView view) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("displayName", view.displayName());
        values.put("plan", view.plan());
        view.overrides().forEach((k, v) -> values.put("overrides." + k, String.valueOf(v)));
        return values;
    }

    Map<String, String> values() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("displayName", displayName);
        m.put("plan", plan);
        List<String> v = List.of(nz(cpuRequest), nz(cpuLimit), nz(memoryRequest), nz(memoryLimit), nz(pods),
                nz(apps), nz(replicasPerApp), nz(concurrentBuilds), nz(buildMinutesPerMonth), nz(regions),
                nz(customDomains), nz(buildTimeoutMinutes));
        for (int i = 0; i < OVERRIDES.size(); i++) {
            m.put("overrides." + OVERRIDES.get(i), v.get(i));
        }
        return m;
    }

    TenantRequests.UpdateLimits toRequest(List<FieldError> errors) {
        LimitsRequest overrides = new LimitsRequest(FormInput.text(cpuRequest), FormInput.text(cpuLimit),
                FormInput.text(memoryRequest), FormInput.text(memoryLimit),
                FormInput.number("overrides.pods", pods, errors), FormInput.number("overrides.apps", apps, errors),
                FormInput.number("overrides.replicasPerApp", replicasPerApp, errors),
                FormInput.number("overrides.concurrentBuilds", concurrentBuilds, errors),
                FormInput.number("overrides.buildMinutesPerMonth", buildMinutesPerMonth, errors),
                FormInput.number("overrides.regions", regions, errors),
                FormInput.number("overrides.customDomains", customDomains, errors),
                FormInput.number("overrides.buildTimeoutMinutes", buildTimeoutMinutes, errors));
        return new TenantRequests.UpdateLimits(FormInput.text(displayName), null, null, null, null,
                FormInput.text(plan), overrides);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
