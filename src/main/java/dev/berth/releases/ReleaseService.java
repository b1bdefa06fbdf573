package dev.berth.releases;

import dev.berth.api.ApiException;
import dev.berth.api.Validator;
import dev.berth.apps.App;
import dev.berth.apps.AppConfigChanged;
import dev.berth.apps.AppRules;
import dev.berth.apps.ProcessSpec;
import dev.berth.audit.AuditLog;
import dev.berth.identity.ApiTokens;
import dev.berth.identity.CurrentUser;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.quotas.QuotaService;
import dev.berth.secrets.SecretBox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Owns the release history of apps. A release is recorded in the same transaction as the app change that caused
 * it: an image or configuration change through the app API ({@link AppConfigChanged}), a build or webhook
 * ({@link #create}), or a rollback ({@link #rollback}), which makes a new release from an old one's snapshot.
 * Scaling (replicas) and routing (custom domain) are not releases. Releases are never edited afterwards; only their
 * status follows their rollout.
 */
@ApplicationScoped
public class ReleaseService {
    static final List<String> STRATEGIES =
            List.of(AppDeploy.ROLLING, AppDeploy.RECREATE, AppDeploy.BLUE_GREEN, AppDeploy.CANARY);
    private static final java.util.regex.Pattern COUNT_OR_PERCENT = java.util.regex.Pattern.compile("\\d{1,3}%?");
    private static final java.util.Set<String> RETRYABLE =
            java.util.Set.of(ReleaseStatus.FAILED, ReleaseStatus.ABORTED, ReleaseStatus.ROLLED_BACK);
    @Inject
    dev.berth.api.Preconditions preconditions;
    @Inject
    SecretBox secrets;
    @Inject
    AuditLog audit;
    @Inject
    CurrentUser currentUser;
    @Inject
    Event<DesiredStateChanged> changed;
    @Inject
    RolloutStarts rollouts;
    @Inject
    RolloutViews views;
    @Inject
    QuotaService quota;
    @Inject
    Plans plans;
    @Inject
    StrategyChanges strategyChanges;

    /** The result of a request that may or may not have created a release ({@code created} false: nothing to do). */
    public record Outcome(ReleaseView release, boolean created) {
    }

    /**
     * Creates a release of {@code app} running {@code image} with the app's current configuration, for builds and
     * webhooks (and CI through the API): the app's image is changed, the change is audited, and the rollout starts
     * with the app's strategy. Nothing happens (and {@code created} is false) when the app already runs exactly
     * this image and configuration. Throws 404 for an unknown app, 400 naming {@code image} for an invalid
     * reference, and 409 while a blue/green or canary rollout of the app is in progress.
     *
     * @param imageRef an image reference, preferably by digest ({@code registry/repo@sha256:...})
     * @param createdBy what created it, e.g. {@link CreatedBy#build(String, String)}
     */
    @Transactional
    public Outcome create(long tenantId, String tenant, String app, String imageRef, CreatedBy createdBy) {
        return create(tenantId, tenant, app, imageRef, createdBy, null);
    }

    /**
     * {@link #create(long, String, String, String, CreatedBy)} that applies a plan: refused (409 naming
     * {@code planFingerprint}) unless the result is exactly what the plan with that fingerprint showed.
     */
    @Transactional
    public Outcome create(long tenantId, String tenant, String app, String imageRef, CreatedBy createdBy,
            String planFingerprint) {
        String problem = AppRules.image(imageRef);
        if (problem != null) {
            throw ApiException.invalid("image", problem);
        }
        quota.lock(tenantId);
        App a = requireApp(tenantId, app);
        AppDeploy deploy = lockLayout(a);
        String before = a.image;
        a.image = imageRef;
        Release r = record(a, tenant, deploy, createdBy, null);
        if (r == null) {
            return new Outcome(view(Release.latest(a.id)), false);
        }
        requirePlan(a, tenant, r, planFingerprint);
        a.updatedAt = Instant.now();
        audit.record(tenantId, tenant, a.name, "release.create", "release #" + r.number + " of " + a.name + " ("
                + createdBy.kind() + " " + createdBy.actor() + ")", Map.of("image", before + " -> " + imageRef));
        changed.fire(new DesiredStateChanged(tenant));
        return new Outcome(view(r), true);
    }

    /**
     * Rolls the app back to release {@code number}: a new release with that release's image and configuration
     * (secrets included, as they were), rolled out with the app's strategy. {@code created} is false when the app
     * already runs exactly that.
     */
    @Transactional
    public Outcome rollback(long tenantId, String tenant, String app, int number) {
        return rollback(tenantId, tenant, app, number, null);
    }

    /** A rollback that applies a plan (see {@link #create(long, String, String, String, CreatedBy, String)}). */
    @Transactional
    public Outcome rollback(long tenantId, String tenant, String app, int number, String planFingerprint) {
        quota.lock(tenantId);
        App a = requireApp(tenantId, app);
        AppDeploy deploy = lockLayout(a);
        Release old = Release.find(a.id, number);
        if (old == null) {
            throw ApiException.notFound("release", app + " #" + number);
        }
        var footprintBefore = a.footprint();
        checkProcesses(tenantId, a, old);
        restore(a, old);
        quota.checkAppChange(tenantId, a.id, footprintBefore, a.footprint());
        Release r = record(a, tenant, deploy, origin(), number);
        if (r == null) {
            return new Outcome(view(Release.latest(a.id)), false);
        }
        requirePlan(a, tenant, r, planFingerprint);
        a.updatedAt = Instant.now();
        audit.record(tenantId, tenant, a.name, "release.rollback", "rolled " + a.name + " back to release #" + number
                + " as release #" + r.number, r.configDiff);
        changed.fire(new DesiredStateChanged(tenant));
        return new Outcome(view(r), true);
    }

    /**
     * The plan of a deploy (an image, or a rollback to {@code rollbackTo}) without doing it: the change runs in
     * this transaction, which is then rolled back, so the plan shows exactly what that deploy would do now.
     */
    @Transactional
    public PlanView plan(long tenantId, String tenant, String app, String imageRef, Integer rollbackTo) {
        if (imageRef == null && rollbackTo == null) {
            throw ApiException.invalid("image", "is required (or rollbackTo)");
        }
        Outcome o = rollbackTo != null ? rollback(tenantId, tenant, app, rollbackTo, null)
                : create(tenantId, tenant, app, imageRef, origin(), null);
        App a = requireApp(tenantId, app);
        PlanView p = plans.plan(a, tenant, o.created() ? Release.find(a.id, o.release().number()) : null);
        QuarkusTransaction.setRollbackOnly();
        return p;
    }

    private void requirePlan(App a, String tenant, Release r, String fingerprint) {
        if (fingerprint != null && !fingerprint.equals(plans.plan(a, tenant, r).fingerprint())) {
            throw ApiException.conflict("planFingerprint", "the desired state of " + a.name + " has changed since "
                    + "this plan was made; make a new plan and apply that");
        }
    }

    @Transactional
    public List<ReleaseView> list(long tenantId, String app, int limit) {
        return list(tenantId, app, limit, null);
    }

    /** The app's releases numbered below {@code before} (all when null), newest first. */
    @Transactional
    public List<ReleaseView> list(long tenantId, String app, int limit, Integer before) {
        App a = requireApp(tenantId, app);
        return Release.recent(a.id, limit, before).stream().map(this::view).toList();
    }

    @Transactional
    public ReleaseView get(long tenantId, String app, int number) {
        App a = requireApp(tenantId, app);
        Release r = Release.find(a.id, number);
        if (r == null) {
            throw ApiException.notFound("release", app + " #" + number);
        }
        return view(r);
    }

    @Transactional
    public DeploySettings settings(long tenantId, String app) {
        App a = requireApp(tenantId, app);
        return DeploySettings.of(AppDeploy.findById(a.id));
    }

    /**
     * Changes an app's strategy or its settings. Refused (409) while a rollout of the app is deciding, and a new
     * strategy while any rollout of the app is in progress. A new strategy that replaces the serving Deployment is a
     * rollout of the running release ({@link StrategyChanges}): the new Deployments start, the Service moves to them
     * once they are ready, then the old ones go; it needs room in the quota for the second Deployment (422).
     */
    @Transactional
    public DeploySettings updateSettings(long tenantId, String tenant, String app, DeploySettings req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        if (req.strategy() != null) {
            // Quota first, then the layout: the order every release takes, so the two never wait on each other.
            quota.lock(tenantId);
        }
        App a = requireApp(tenantId, app);
        AppDeploy d = AppDeploy.lock(a.id);
        preconditions.check("the deploy settings of " + a.name, d.version);
        Validator v = new Validator();
        if (req.strategy() != null) {
            v.check(STRATEGIES.contains(req.strategy()), "strategy", "must be one of " + String.join(", ", STRATEGIES));
        }
        String surge = req.maxSurge() == null ? d.maxSurge : req.maxSurge().trim();
        String unavailable = req.maxUnavailable() == null ? d.maxUnavailable : req.maxUnavailable().trim();
        v.check(COUNT_OR_PERCENT.matcher(surge).matches(), "maxSurge", "must be a count such as 1 or a percentage such as 25%");
        v.check(COUNT_OR_PERCENT.matcher(unavailable).matches(), "maxUnavailable",
                "must be a count such as 0 or a percentage such as 25%");
        v.check(!(zero(surge) && zero(unavailable)), "maxUnavailable",
                "maxSurge and maxUnavailable cannot both be zero (the update could never make progress)");
        if (req.holdSeconds() != null) {
            v.check(req.holdSeconds() >= 0 && req.holdSeconds() <= 86_400, "holdSeconds", "must be 0 to 86400");
        }
        if (req.progressDeadlineSeconds() != null) {
            v.check(req.progressDeadlineSeconds() >= 1 && req.progressDeadlineSeconds() <= 7_200,
                    "progressDeadlineSeconds", "must be 1 to 7200");
        }
        if (req.canaryWeight() != null) {
            v.check(req.canaryWeight() >= 1 && req.canaryWeight() <= 99, "canaryWeight", "must be 1 to 99 (percent)");
        }
        v.throwIfInvalid();
        Rollout active = Rollout.lockActive(a.id);
        boolean newStrategy = req.strategy() != null && !req.strategy().equals(d.strategy);
        if (active != null && active.fromStrategy != null) {
            throw StrategyChanges.inProgress("strategy", a, active);
        }
        // Other settings may change while a release rolls onto the live track (rolling, recreate, an app's first
        // release), and so may rolling <-> recreate, which keeps the one Deployment; a strategy that replaces the
        // Deployments waits for every rollout, and a second track (idle colour, canary) in flight blocks any change.
        boolean liveTrack = active != null && active.state == RolloutState.DEPLOYING
                && (!d.twoTracks() || active.previousRelease == null);
        boolean replaces = newStrategy && StrategyChanges.replacesDeployments(d.strategy, req.strategy());
        if (active != null && (replaces || !liveTrack && (newStrategy || d.twoTracks()))) {
            throw ApiException.conflict("strategy", "a rollout of " + a.name + " is in progress (" + active.state
                    + "); change the deploy settings when it has finished");
        }
        if (newStrategy && diverged(a.id)) {
            throw ApiException.conflict("strategy", "the regions of " + a.name + " run different releases (a rollout "
                    + "stopped part-way through its waves); roll back or release again before changing the strategy");
        }
        DeploySettings before = DeploySettings.of(d);
        d.maxSurge = surge;
        d.maxUnavailable = unavailable;
        if (req.autoPromote() != null) {
            d.autoPromote = req.autoPromote();
        }
        if (req.holdSeconds() != null) {
            d.holdSeconds = req.holdSeconds();
        }
        if (req.progressDeadlineSeconds() != null) {
            d.progressDeadlineSeconds = req.progressDeadlineSeconds();
        }
        if (req.canaryWeight() != null) {
            d.canaryWeight = req.canaryWeight();
        }
        if (newStrategy) {
            strategyChanges.begin(a, tenant, d, req.strategy());
        }
        DeploySettings after = DeploySettings.of(d);
        if (!after.equals(before)) {
            audit.record(tenantId, tenant, a.name, "app.deploy-settings", "changed deploy settings of " + a.name,
                    Map.of("before", before.toString(), "after", after.toString()));
            changed.fire(new DesiredStateChanged(tenant));
        }
        io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush(); // the response shows the new version
        return DeploySettings.of(d);
    }

    /** True while some region of the app keeps a layout or release of its own (waves, or a stopped rollout). */
    private static boolean diverged(long appId) {
        return RegionDeploy.count("appId", appId) > 0
                || dev.berth.placement.AppRegion.count("appId = ?1 and pinnedRelease is not null", appId) > 0;
    }

    private static boolean zero(String countOrPercent) {
        return countOrPercent.equals("0") || countOrPercent.equals("0%");
    }

    /** Records the release an app create or change through the app API implies, in that same transaction. */
    void onAppChanged(@Observes AppConfigChanged e) {
        App a = e.app();
        AppDeploy deploy;
        if (e.created()) {
            deploy = new AppDeploy();
            deploy.appId = a.id;
            deploy.persist();
        } else {
            deploy = AppDeploy.lock(a.id);
        }
        record(a, e.tenant(), deploy, origin(), null);
    }

    /**
     * Records a release of the app as it now is, when its image or configuration differs from the latest release
     * (or when it is a rollback); returns null when nothing differs. Starts its rollout.
     */
    Release record(App a, String tenant, AppDeploy deploy, CreatedBy by, Integer rollbackOf) {
        Release previous = Release.latest(a.id);
        ReleaseConfig config = new ReleaseConfig(a.port, a.cpuRequestMillis, a.cpuLimitMillis, a.memoryRequestBytes,
                a.memoryLimitBytes, a.healthPath, a.env, a.secretEnv, a.processes, a.releaseCommand);
        Map<String, Object> diff = previous == null ? new LinkedHashMap<>() : diff(previous, a.image, config);
        // Nothing to do when the latest release is exactly this and did not fail (a failed one may be retried).
        if (previous != null && diff.isEmpty() && !RETRYABLE.contains(previous.status)) {
            return null;
        }
        rollouts.requireNoConflict(a, deploy);
        Release r = new Release();
        r.tenantId = a.tenantId;
        r.appId = a.id;
        r.number = previous == null ? 1 : previous.number + 1;
        r.image = a.image;
        r.config = config;
        r.configDiff = diff;
        r.createdByKind = by.kind();
        r.createdBy = by.actor();
        r.source = by.source();
        r.rollbackOf = rollbackOf;
        r.persist();
        rollouts.start(a, tenant, deploy, r);
        return r;
    }

    private Map<String, Object> diff(Release previous, String image, ReleaseConfig now) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (!previous.image.equals(image)) {
            d.put("image", previous.image + " -> " + image);
        }
        Map<String, String> before = previous.config.flat();
        Map<String, String> after = now.flat();
        after.forEach((k, v) -> {
            if (!Objects.equals(before.get(k), v)) {
                d.put(k, before.get(k) + " -> " + v);
            }
        });
        before.keySet().stream().filter(k -> !after.containsKey(k)).forEach(k -> d.put(k, before.get(k) + " -> (removed)"));
        Map<String, String> sb = previous.config.secretEnv();
        Map<String, String> sa = now.secretEnv();
        sa.forEach((k, sealed) -> {
            if (!sb.containsKey(k)) {
                d.put("secretEnv." + k, "set");
            } else if (!sealed.equals(sb.get(k)) && !secrets.decrypt(sealed).equals(secrets.decrypt(sb.get(k)))) {
                d.put("secretEnv." + k, "changed");
            }
        });
        sb.keySet().stream().filter(k -> !sa.containsKey(k)).forEach(k -> d.put("secretEnv." + k, "removed"));
        return d;
    }

    /** The caller as a release origin: an API token names the token, anyone else is a user. */
    CreatedBy origin() {
        ApiTokens.Grant grant = currentUser.token();
        return grant != null ? CreatedBy.token(grant.name()) : CreatedBy.user(currentUser.subject());
    }

    ReleaseView view(Release r) {
        return ReleaseView.of(r, views.placements(r));
    }

    /** Puts a release's image and configuration (secrets sealed as they were) back on the app row. */
    /**
     * Refuses a rollback whose release runs more or larger worker and cron processes than the quota leaves room for.
     * Checked before the app changes, while the stored processes are still the app's row as read.
     */
    private void checkProcesses(long tenantId, App a, Release r) {
        List<ProcessSpec> before = a.processes == null ? List.of() : a.processes;
        List<ProcessSpec> after = r.config.processes() == null ? List.of() : r.config.processes();
        if (before.equals(after)) {
            return;
        }
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < after.size(); i++) {
            fields.add("processes[" + i + "]." + (after.get(i).cron() ? "schedule" : "replicas"));
        }
        quota.checkProcesses(tenantId, a.id, before.stream().map(ProcessSpec::footprint).toList(),
                after.stream().map(ProcessSpec::footprint).toList(), fields);
    }

    static void restore(App a, Release r) {
        ReleaseConfig c = r.config;
        a.image = r.image;
        a.port = c.port();
        a.cpuRequestMillis = c.cpuRequestMillis();
        a.cpuLimitMillis = c.cpuLimitMillis();
        a.memoryRequestBytes = c.memoryRequestBytes();
        a.memoryLimitBytes = c.memoryLimitBytes();
        a.healthPath = c.healthPath();
        a.env = new TreeMap<>(c.env());
        a.secretEnv = new TreeMap<>(c.secretEnv());
        a.processes = new java.util.ArrayList<>(c.processes());
        a.releaseCommand = c.releaseCommand();
    }

    /**
     * Locks the app's layout and reads the app again under that lock: an abort or a failed rollout restores the
     * app's configuration while holding it, and a write from the app as read before they committed is refused by its
     * version (a build's release then failed, and the build with it, after its image was pushed).
     */
    private static AppDeploy lockLayout(App a) {
        AppDeploy deploy = AppDeploy.lock(a.id);
        App.getEntityManager().refresh(a);
        return deploy;
    }

    static App requireApp(long tenantId, String name) {
        return App.require(tenantId, name);
    }
}
