package dev.berth.releases;

import dev.berth.api.ApiException;
import dev.berth.apps.App;
import dev.berth.apps.AppLayout;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.quotas.AppFootprint;
import dev.berth.quotas.QuotaService;
import dev.berth.quotas.RolloutFootprint;
import dev.berth.releases.RolloutProgress.TrackProgress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;

/**
 * Changes of an app's deploy strategy, as rollouts of its live release onto the new strategy's Deployments (ADR
 * 0009), so that the app's Service has ready endpoints throughout:
 *
 * <ol>
 * <li>{@code deploying}: the new strategy's serving Deployment ({@code <app>}, the live colour, or the stable
 * track) starts beside the old one in every region; the Service keeps selecting the old one's pods.</li>
 * <li>once it is ready everywhere (the same gate as a release's), {@code switching}: the Service's selector moves
 * to the new pods, one write per region; the old Deployment still runs.</li>
 * <li>once every region's watch cache shows the moved Service (or the progress deadline passes),
 * {@code succeeded}: the old Deployment and its Secret go.</li>
 * </ol>
 *
 * A new Deployment that misses the progress deadline, or an abort before the switch, leaves the app on its previous
 * strategy (the new Deployment goes; the Service never left the old one). Like every transition, each step is one
 * transaction on the rollout row and the app's {@link AppDeploy}; the reconcilers do the writes, so a Berth killed
 * between two steps resumes from the last one. Switching between rolling and recreate keeps the one Deployment and
 * needs no rollout.
 */
@ApplicationScoped
public class StrategyChanges {
    @Inject
    RolloutProgress progress;
    @Inject
    QuotaService quota;
    @Inject
    Event<DesiredStateChanged> changed;

    /** True when going from one strategy to the other replaces the serving Deployment. */
    static boolean replacesDeployments(String from, String to) {
        return !kind(from).equals(kind(to));
    }

    private static String kind(String strategy) {
        return AppDeploy.BLUE_GREEN.equals(strategy) || AppDeploy.CANARY.equals(strategy) ? strategy : "single";
    }

    /**
     * Changes {@code d}'s strategy to {@code to}: a rollout when the serving Deployment is replaced and the app runs
     * a release, else at once. The caller holds the locks on the tenant's quota and on {@code d}, and has made sure
     * no rollout of the app is active. Refused (422 naming {@code strategy}) without room for the second Deployment.
     */
    void begin(App a, String tenant, AppDeploy d, String to) {
        Release live = d.liveRelease == null ? null : Release.find(a.id, d.liveRelease);
        String from = d.strategy;
        d.strategy = to;
        d.idleRelease = null;
        d.idleReplicas = 0;
        if (live == null || !replacesDeployments(from, to)) {
            return;
        }
        quota.checkRollout(a.tenantId, a.name, RolloutFootprint.strategyChange(new AppFootprint(a.replicas,
                a.cpuRequestMillis, a.cpuLimitMillis, a.memoryRequestBytes, a.memoryLimitBytes, false)));
        Rollout ro = new Rollout();
        ro.tenantId = a.tenantId;
        ro.appId = a.id;
        ro.releaseId = live.id;
        ro.strategy = to;
        ro.fromStrategy = from;
        ro.targetColor = AppLayout.servingLabel(to, d.liveColor);
        ro.previousColor = AppLayout.servingLabel(from, d.liveColor);
        ro.deadlineAt = Instant.now().plusSeconds(d.progressDeadlineSeconds);
        ro.reason = "changing the strategy from " + from + " to " + to + ": starting " + deployment(a, ro.targetColor)
                + " with release #" + live.number + "; the Service stays on " + deployment(a, ro.previousColor)
                + " until it is ready";
        ro.persist();
        d.leavingStrategy = from;
        d.leavingServes = true;
        changed.fire(new DesiredStateChanged(tenant));
    }

    /** One engine step of a strategy change: the new Deployment's gate, the switch's confirmation, or the deadline. */
    void advance(App a, String tenant, Rollout ro, AppDeploy d) {
        Release r = Release.findById(ro.releaseId);
        if (ro.state == RolloutState.DEPLOYING) {
            List<TrackProgress> p = progress.track(a.tenantId, tenant, a.name, ro.strategy, ro.targetColor, r.number,
                    a.replicas);
            if (p.stream().allMatch(TrackProgress::complete)) {
                d.leavingServes = false;
                ro.deadlineAt = Instant.now().plusSeconds(d.progressDeadlineSeconds);
                ro.move(RolloutState.SWITCHING, deployment(a, ro.targetColor) + " ready in every region; the Service "
                        + "moves to it, " + deployment(a, ro.previousColor) + " goes once every region shows that");
                changed.fire(new DesiredStateChanged(tenant));
            } else if (Instant.now().isAfter(ro.deadlineAt)) {
                stop(a, ro, d, RolloutState.FAILED, "the strategy stays " + ro.fromStrategy + ": "
                        + RolloutSteps.notReadyReason(ro, p));
                changed.fire(new DesiredStateChanged(tenant));
            }
        } else if (ro.state == RolloutState.SWITCHING) {
            List<String> waiting = progress.servicesNotSwitched(a.tenantId, tenant, a.name, ro.strategy, d.liveColor);
            boolean late = Instant.now().isAfter(ro.deadlineAt);
            if (waiting.isEmpty() || late) {
                d.leavingStrategy = null;
                d.leavingServes = false;
                quota.rolloutFinished(a.tenantId, a.name);
                ro.move(RolloutState.SUCCEEDED, "strategy changed from " + ro.fromStrategy + " to " + ro.strategy + "; "
                        + deployment(a, ro.previousColor) + " removed" + (waiting.isEmpty() ? ""
                        : " (the moved Service was not seen in " + waiting + " before the progress deadline)"));
                changed.fire(new DesiredStateChanged(tenant));
            }
        }
    }

    /**
     * Abort before the switch: the app keeps its previous strategy and the new Deployment goes. 409 once the Service
     * has moved (the change then only waits to remove the old Deployment).
     */
    Rollouts.Action abort(App a, String tenant, Rollout ro, AppDeploy d) {
        if (ro.state != RolloutState.DEPLOYING) {
            throw ApiException.conflict("release", "the Service of " + a.name + " has already moved to the "
                    + ro.strategy + " layout; the strategy change is finishing");
        }
        stop(a, ro, d, RolloutState.ABORTED, "aborted; the strategy stays " + ro.fromStrategy);
        changed.fire(new DesiredStateChanged(tenant));
        return Rollouts.Action.STARTED;
    }

    /** Back to the previous strategy, whose Deployment never stopped serving; the new Deployment goes. */
    private void stop(App a, Rollout ro, AppDeploy d, RolloutState state, String why) {
        d.strategy = ro.fromStrategy;
        d.leavingStrategy = null;
        d.leavingServes = false;
        quota.rolloutFinished(a.tenantId, a.name);
        ro.move(state, why);
    }

    /** The 409 (naming {@code field}) for a release or a settings change while the strategy changes. */
    static ApiException inProgress(String field, App a, Rollout ro) {
        return ApiException.conflict(field, "the strategy of " + a.name + " is changing from " + ro.fromStrategy
                + " to " + ro.strategy + " (" + ro.state + "); wait for it to finish, or abort it before it switches");
    }

    private static String deployment(App a, String label) {
        return AppLayout.deploymentName(a.name, label);
    }
}
