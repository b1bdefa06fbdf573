package dev.berth.builds;

import dev.berth.api.ApiException;
import dev.berth.apps.App;
import dev.berth.audit.AuditLog;
import dev.berth.builds.run.BuildLog;
import dev.berth.builds.run.BuildLogFeed;
import dev.berth.builds.source.AppSource;
import dev.berth.builds.source.SourceRules;
import dev.berth.builds.source.SourceService;
import dev.berth.quotas.QuotaExceededException;
import dev.berth.quotas.QuotaService;
import dev.berth.quotas.QuotaUsage;
import dev.berth.tenancy.QuotaLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Owns builds as users see them: requesting one (it is queued; a worker picks it up), listing, reading and
 * cancelling. Running them is {@link BuildQueue}'s and {@link BuildRunner}'s job.
 */
@ApplicationScoped
public class BuildService {
    @Inject
    BuildLogFeed logFeed;
    @Inject
    AuditLog audit;
    @Inject
    Event<BuildQueued> queued;
    @Inject
    BuildLog logs;
    @Inject
    QuotaService quotas;

    /** Fired after a build was queued, so idle workers start it without waiting for their next poll. */
    public record BuildQueued(long buildId) {
    }

    @Transactional
    public BuildView request(long tenantId, String tenant, String appName, String commitSha, String trigger,
            String requestedBy) {
        String reason = SourceRules.sha(commitSha == null || commitSha.isBlank() ? null : commitSha.trim());
        if (reason != null) {
            throw ApiException.invalid("commitSha", reason);
        }
        App app = SourceService.app(tenantId, appName);
        AppSource source = AppSource.forApp(app.id);
        if (source == null) {
            throw ApiException.conflict("source", "app '" + appName + "' has no repository yet; connect one first "
                    + "(PUT .../apps/" + appName + "/source)");
        }
        requireBuildMinutes(tenantId);
        // Numbers are per app: the app row lock serialises concurrent requests for the same app. Read again under
        // the lock (not just locked): a release committed since the app was read (the previous build's, say) changed
        // its version, and locking the stale copy failed the request.
        App.getEntityManager().refresh(app, LockModeType.PESSIMISTIC_WRITE);
        Build b = new Build();
        b.tenantId = tenantId;
        b.appId = app.id;
        b.number = Build.nextNumber(app.id);
        b.triggerKind = trigger;
        b.requestedBy = requestedBy;
        b.requestedSha = commitSha == null || commitSha.isBlank() ? null : commitSha.trim();
        b.gitRef = source.gitRef;
        b.queuedAt = Instant.now();
        b.persist();
        audit.record(tenantId, tenant, appName, "build.request", "requested build #" + b.number + " of " + source.gitRef
                + (b.requestedSha == null ? "" : " at " + b.requestedSha) + " (" + trigger + ")",
                Map.of("build", b.number));
        queued.fire(new BuildQueued(b.id));
        return BuildView.of(b, appName);
    }

    @Transactional
    public List<BuildView> list(long tenantId, String appName, int limit) {
        return list(tenantId, appName, limit, null);
    }

    /** The app's builds numbered below {@code before} (all when null), newest first. */
    @Transactional
    public List<BuildView> list(long tenantId, String appName, int limit, Integer before) {
        App app = SourceService.app(tenantId, appName);
        return Build.listByApp(app.id, limit, before).stream().map(b -> BuildView.of(b, appName)).toList();
    }

    @Transactional
    public BuildView get(long tenantId, String appName, int number) {
        return BuildView.of(require(tenantId, appName, number), appName);
    }

    /** The build's row id, for the log stream. */
    @Transactional
    public long id(long tenantId, String appName, int number) {
        return require(tenantId, appName, number).id;
    }

    /** Whether the build has ended and its worker wrote its last log line, read fresh for the log stream. */
    @Transactional
    public boolean logComplete(long buildId) {
        Build b = Build.findById(buildId);
        return b == null || b.finished() && !b.logOpen;
    }

    @Transactional
    public String stateOf(long buildId) {
        Build b = Build.findById(buildId);
        return b == null ? "deleted" : b.state.value();
    }

    @Transactional
    public BuildView cancel(long tenantId, String tenant, String appName, int number) {
        Build b = require(tenantId, appName, number);
        Build.getEntityManager().lock(b, LockModeType.PESSIMISTIC_WRITE);
        Build.getEntityManager().refresh(b);
        if (b.finished()) {
            throw ApiException.conflict("state", "build #" + number + " has already " + b.state);
        }
        if (b.state == BuildState.QUEUED) {
            b.moveTo(BuildState.CANCELLED);
            b.failureReason = "cancelled before it started";
            b.finishedAt = Instant.now();
            logFeed.announceOnCommit(Build.getEntityManager(), b.id);
        } else {
            // The worker running it sees the flag at its next heartbeat, stops the build and cleans up.
            b.cancelRequested = true;
        }
        audit.record(tenantId, tenant, appName, "build.cancel", "cancelled build #" + number, null);
        return BuildView.of(b, appName);
    }

    /**
     * Refuses a build at once when the tenant has no build minutes left this month; the concurrent-build limit is
     * applied when a worker claims it (the build waits in the queue instead of being refused).
     */
    private void requireBuildMinutes(long tenantId) {
        QuotaLimits limits = quotas.limits(tenantId);
        QuotaUsage used = quotas.usage(tenantId);
        if (used.buildMinutesThisMonth() >= limits.buildMinutesPerMonth()) {
            throw new QuotaExceededException("build", "buildMinutesPerMonth", limits.buildMinutesPerMonth() + " min",
                    used.buildMinutesThisMonth() + " min this month", "a new build (no minutes left this month)");
        }
    }

    private static Build require(long tenantId, String appName, int number) {
        App app = SourceService.app(tenantId, appName);
        Build b = Build.findByNumber(app.id, number);
        if (b == null) {
            throw ApiException.notFound("build", "#" + number);
        }
        return b;
    }
}
