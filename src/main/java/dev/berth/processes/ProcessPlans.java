package dev.berth.processes;

import dev.berth.apps.App;
import dev.berth.apps.AppLayout;
import dev.berth.apps.AppSpec;
import dev.berth.apps.ProcessSpec;
import dev.berth.releases.Release;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What each app's processes run in one region, for the reconciler: the processes of the release the app's
 * serving track runs there (so a region pinned to an older release, or the live colour of a blue/green app, runs
 * that release's workers and crons with its image), plus the Jobs of the app's pending and running runs in the
 * region.
 */
@ApplicationScoped
public class ProcessPlans {

    /** Aligned with {@code apps}: each app's process objects in the region, or null when it has none. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<ProcessDesired> of(List<App> apps, List<AppSpec> specs, List<AppLayout> layouts, long regionId) {
        Map<Long, List<ProcessDesired.RunJob>> runs = new HashMap<>();
        for (Run r : Run.openIn(regionId)) {
            runs.computeIfAbsent(r.appId, k -> new ArrayList<>()).add(new ProcessDesired.RunJob(r.id, r.jobName, r.kind,
                    r.image, r.releaseNumber, r.command));
        }
        List<ProcessDesired> out = new ArrayList<>(apps.size());
        for (int i = 0; i < apps.size(); i++) {
            App a = apps.get(i);
            List<ProcessDesired.RunJob> appRuns = runs.getOrDefault(a.id, List.of());
            // An app whose row has no processes and no open runs has none (a release still rolling out that
            // drops the processes stops them a little early, which is the safe side).
            if ((a.processes == null || a.processes.isEmpty()) && appRuns.isEmpty()) {
                out.add(null);
                continue;
            }
            out.add(plan(a, specs.get(i), layouts.get(i), appRuns));
        }
        return out;
    }

    private static ProcessDesired plan(App a, AppSpec spec, AppLayout layout, List<ProcessDesired.RunJob> runs) {
        AppLayout.Track t = serving(layout);
        if (t == null) {
            return new ProcessDesired(spec, spec.name(), 0, a.processes, runs);
        }
        Release r = t.release() > 0 ? Release.find(a.id, t.release()) : null;
        List<ProcessSpec> processes = r != null ? r.config.processes() : a.processes;
        String secretOf = AppLayout.deploymentName(spec.name(), t.label());
        return new ProcessDesired(t.spec(), secretOf, Math.max(0, t.release()), processes, runs);
    }

    /** The track whose pods the app's Service sends traffic to (the live colour, the stable track, the one). */
    static AppLayout.Track serving(AppLayout layout) {
        if (layout == null || layout.tracks().isEmpty()) {
            return null;
        }
        String label = AppLayout.servingLabel(layout.strategy(), layout.liveColor());
        for (AppLayout.Track t : layout.tracks()) {
            if (Objects.equals(t.label(), label)) {
                return t;
            }
        }
        return layout.tracks().get(0);
    }
}
