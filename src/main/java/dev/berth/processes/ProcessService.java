package dev.berth.processes;

import dev.berth.api.ApiException;
import dev.berth.api.Validator;
import dev.berth.apps.App;
import dev.berth.apps.AppConfigChanged;
import dev.berth.apps.ProcessSpec;
import dev.berth.apps.ProcessText;
import dev.berth.audit.AuditLog;
import dev.berth.kube.ScalingApis;
import dev.berth.placement.AppRegion;
import dev.berth.quotas.AppFootprint;
import dev.berth.quotas.QuotaService;
import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An app's worker and cron processes and its release command: validated (every error naming its field), checked
 * against the tenant's quota (workers' replicas and crons' one pod, with their own resources, in every region of
 * the app) and stored on the app in one transaction, which records a new release as any configuration change does
 * ({@link AppConfigChanged}): the processes roll out with it.
 */
@ApplicationScoped
public class ProcessService {
    @Inject
    QuotaService quota;
    @Inject
    AuditLog audit;
    @Inject
    Event<AppConfigChanged> configChanged;
    @Inject
    RegionClients clients;

    @Transactional
    public ProcessesView get(long tenantId, String app) {
        return view(App.require(tenantId, app));
    }

    @Transactional
    public ProcessesView set(long tenantId, String tenant, String app, ProcessesRequest req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        quota.lock(tenantId);
        App a = App.require(tenantId, app);
        Validator v = new Validator();
        List<ProcessSpec> next = ProcessRules.processes(v, req.processes(), new ProcessRules.Defaults(a.name,
                a.cpuRequestMillis, a.cpuLimitMillis, a.memoryRequestBytes, a.memoryLimitBytes));
        List<String> command = ProcessRules.releaseCommand(v, req.releaseCommand());
        v.throwIfInvalid();
        List<ProcessSpec> before = a.processes == null ? List.of() : a.processes;
        if (before.equals(next) && Objects.equals(a.releaseCommand, command)) {
            return view(a);
        }
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < next.size(); i++) {
            fields.add("processes[" + i + "]." + (next.get(i).cron() ? "schedule" : "replicas"));
        }
        // Checked before the app changes: the stored processes are still the app's row as read.
        quota.checkProcesses(tenantId, a.id, before.stream().map(ProcessSpec::footprint).toList(),
                next.stream().map(ProcessSpec::footprint).toList(), fields);
        Map<String, Object> diff = diff(before, next, a.releaseCommand, command);
        a.processes = new ArrayList<>(next);
        a.releaseCommand = command;
        a.updatedAt = Instant.now();
        audit.record(tenantId, tenant, a.name, "app.processes", "changed the processes: " + next.size()
                + " process(es)" + (command == null ? "" : ", release command " + String.join(" ", command)), diff);
        configChanged.fire(new AppConfigChanged(a, tenantId, tenant, false));
        return view(a);
    }

    private static Map<String, Object> diff(List<ProcessSpec> before, List<ProcessSpec> after, List<String> cmdBefore,
            List<String> cmdAfter) {
        Map<String, Object> d = new LinkedHashMap<>();
        Map<String, String> b = new LinkedHashMap<>();
        before.forEach(p -> b.put(p.name(), ProcessText.describe(p)));
        Map<String, String> n = new LinkedHashMap<>();
        after.forEach(p -> n.put(p.name(), ProcessText.describe(p)));
        n.forEach((k, val) -> {
            if (!val.equals(b.get(k))) {
                d.put("process." + k, (b.get(k) == null ? "(none)" : b.get(k)) + " -> " + val);
            }
        });
        b.keySet().stream().filter(k -> !n.containsKey(k)).forEach(k -> d.put("process." + k, b.get(k) + " -> (removed)"));
        if (!Objects.equals(cmdBefore, cmdAfter)) {
            d.put("releaseCommand", (cmdBefore == null ? "(none)" : String.join(" ", cmdBefore)) + " -> "
                    + (cmdAfter == null ? "(none)" : String.join(" ", cmdAfter)));
        }
        return d;
    }

    ProcessesView view(App a) {
        List<ProcessesView.RegionApi> regions = new ArrayList<>();
        for (AppRegion row : AppRegion.listByApp(a.id)) {
            Region r = Region.findById(row.regionId);
            if (r == null) {
                continue;
            }
            ScalingApis apis = clients.get(r.name).map(c -> c.cache().scalingApis()).orElse(null);
            regions.add(new ProcessesView.RegionApi(r.name, apis == null ? null
                    : apis.cronJobApiVersion() == null ? "none" : apis.cronJobApiVersion()));
        }
        List<ProcessSpec> ps = a.processes == null ? List.of() : a.processes;
        return new ProcessesView(a.name, ps.stream().map(ProcessRules::view).toList(), a.releaseCommand, regions);
    }

    /** The footprint of one pod of the app's web size: what a run holds while it runs. */
    static AppFootprint runPod(App a) {
        return new AppFootprint(1, a.cpuRequestMillis, a.cpuLimitMillis, a.memoryRequestBytes, a.memoryLimitBytes,
                false);
    }
}
