package dev.berth.processes;

import dev.berth.api.ApiException;
import dev.berth.api.Validator;
import dev.berth.apps.App;
import dev.berth.audit.AuditLog;
import dev.berth.identity.CurrentUser;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.quotas.QuotaService;
import dev.berth.placement.AppRegion;
import dev.berth.regions.Region;
import dev.berth.releases.Release;
import dev.berth.releases.ReleaseStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs of commands from an app's release, each a Job in one region: one-off runs started by people or CI, and
 * release commands started by rollouts ({@link ReleaseCommands}). A run is recorded {@code pending} with its
 * release's image, holds one pod of the app's size against the quota while it is open, and reaches the cluster
 * through the region's reconciler like every other object ({@link ProcessPlans}); {@link RunWatcher} records its
 * result from the watch cache, and the Job, no longer wanted, is deleted by the next reconcile.
 */
@ApplicationScoped
public class RunService {
    /** How long a run's quota reservation outlives the Job's own deadline, should Berth never see the result. */
    static final Duration RESERVATION = Duration.ofSeconds(ProcessManifests.RUN_DEADLINE_SECONDS).plusMinutes(30);
    static final int MAX_LISTED = 50;
    @Inject
    QuotaService quota;
    @Inject
    AuditLog audit;
    @Inject
    CurrentUser currentUser;
    @Inject
    Event<DesiredStateChanged> changed;

    /** Starts a one-off run of {@code req.command()} from the app's live release (or its latest, before one is live). */
    @Transactional
    public RunView start(long tenantId, String tenant, String app, RunRequest req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        Validator v = new Validator();
        ProcessRules.command(v, "command", req.command());
        v.throwIfInvalid();
        quota.lock(tenantId);
        App a = App.require(tenantId, app);
        Region region = region(a, req.region(), "region");
        Release r = current(a);
        if (r == null) {
            throw ApiException.conflict("command", "app " + a.name + " has no release to run a command from yet");
        }
        Run run = record(a, region, r, Run.KIND_RUN, req.command(), null, who(), "command");
        audit.record(tenantId, tenant, a.name, "app.run", "started run #" + run.id + " in " + region.name + " from release #"
                + r.number + ": " + String.join(" ", req.command()), Map.of("command", String.join(" ", req.command()),
                "region", region.name));
        changed.fire(new DesiredStateChanged(tenant));
        return RunView.of(run, a.name, region.name);
    }

    @Transactional
    public RunView get(long tenantId, String app, long id) {
        App a = App.require(tenantId, app);
        Run r = Run.findById(id);
        if (r == null || !r.appId.equals(a.id)) {
            throw ApiException.notFound("run", Long.toString(id));
        }
        return view(r, a.name);
    }

    /** The app's most recent runs (one-off runs and release commands), newest first. */
    @Transactional
    public List<RunView> recent(long tenantId, String app, int limit) {
        App a = App.require(tenantId, app);
        return Run.recent(a.id, Math.min(Math.max(1, limit), MAX_LISTED)).stream().map(r -> view(r, a.name)).toList();
    }

    /**
     * Records a run (pending) and reserves its pod; the caller holds the tenant's lock and fires the change.
     * Throws the quota's refusal naming {@code quotaField}.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    Run record(App a, Region region, Release r, String kind, List<String> command, Long rolloutId, String by,
            String quotaField) {
        Run run = new Run();
        run.tenantId = a.tenantId;
        run.appId = a.id;
        run.regionId = region.id;
        run.kind = kind;
        run.releaseNumber = r.number;
        run.rolloutId = rolloutId;
        run.image = r.image;
        run.command = List.copyOf(command);
        run.createdBy = by;
        run.jobName = "pending";
        run.persist();
        run.jobName = ProcessManifests.jobName(a.name, run.id);
        try {
            quota.checkRun(a.tenantId, reservation(run.id), ProcessService.runPod(a), quotaField, RESERVATION);
        } catch (RuntimeException e) {
            // A rollout's step goes on after a refusal (to fail the rollout): the run must not stay behind.
            run.delete();
            throw e;
        }
        return run;
    }

    static String reservation(long runId) {
        return "run:" + runId;
    }

    /** The region to run in: the named one, which must be one of the app's, or the app's primary region. */
    static Region region(App a, String name, String field) {
        List<AppRegion> rows = AppRegion.listByApp(a.id);
        if (rows.isEmpty()) {
            throw ApiException.conflict(field, "app " + a.name + " runs in no region");
        }
        for (AppRegion row : rows) {
            Region r = Region.findById(row.regionId);
            if (r != null && (name == null ? AppRegion.PRIMARY.equals(row.role) : r.name.equals(name))) {
                return r;
            }
        }
        if (name != null) {
            throw ApiException.invalid(field, "is not a region of app " + a.name);
        }
        return Region.findById(rows.get(0).regionId);
    }

    /** The release serving the app: the newest live one, else the newest. */
    static Release current(App a) {
        Release live = Release.find("appId = ?1 and status = ?2 order by number desc", a.id, ReleaseStatus.LIVE)
                .firstResult();
        return live != null ? live : Release.latest(a.id);
    }

    private String who() {
        var token = currentUser.token();
        return token != null ? "token " + token.name() : currentUser.subject();
    }

    private static RunView view(Run r, String app) {
        Region region = Region.findById(r.regionId);
        return RunView.of(r, app, region == null ? "?" : region.name);
    }
}
