package dev.berth.processes;

import dev.berth.kube.ClusterCache;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.kube.Names;
import dev.berth.quotas.QuotaService;
import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import dev.berth.tenancy.Tenant;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Records the results of open runs from the regions' watch caches (never a GET per run): the pod running moves a
 * run to {@code running}, its container's termination to {@code succeeded} (exit 0) or {@code failed} (another
 * code, kept), a Job the controller failed (its deadline) to {@code failed} with the Job's reason, and a Job gone
 * before any of that to {@code lost}. With the result it keeps the last log lines, ends the quota reservation and
 * tells the reconciler, which deletes the Job (with its pod) as no longer wanted. Every instance watches; the run's
 * {@code @Version} lets one of them record each move.
 */
@ApplicationScoped
public class RunWatcher {
    private static final Logger LOG = Logger.getLogger(RunWatcher.class);
    @Inject
    RegionClients clients;
    @Inject
    QuotaService quota;
    @Inject
    Event<DesiredStateChanged> changed;

    /** What the cache shows of one run: the state to move to (null: nothing new), why, the exit code, the log. */
    record Seen(RunState state, String reason, Integer exitCode, String log) {
    }

    @Scheduled(every = "${berth.processes.watch-interval:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void watch() {
        record Open(long id, RunState state, String region, String tenant, String job) {
        }
        List<Open> open = QuarkusTransaction.requiringNew().call(() -> Run.open().stream().map(r -> {
            Region region = Region.findById(r.regionId);
            Tenant t = Tenant.findById(r.tenantId);
            return new Open(r.id, r.state, region == null ? null : region.name, t == null ? null : t.slug, r.jobName);
        }).toList());
        for (Open o : open) {
            if (o.region() == null || o.tenant() == null) {
                continue;
            }
            Optional<RegionCluster> cluster = clients.get(o.region());
            if (cluster.isEmpty() || !cluster.get().cache().synced()) {
                continue;
            }
            Seen seen = observe(cluster.get(), o.tenant(), o.job(), o.state());
            if (seen != null) {
                try {
                    record(o.id(), o.tenant(), seen);
                } catch (RuntimeException e) {
                    // Another instance recorded it first (the run's version moved on), or the database was busy:
                    // the next pass looks again.
                    LOG.debugf("run %d: not recorded this pass (%s)", o.id(), e.toString());
                }
            }
        }
    }

    /** The move the cache shows for a run in {@code state}, or null when there is none. */
    static Seen observe(RegionCluster cluster, String tenant, String jobName, RunState state) {
        ClusterCache cache = cluster.cache();
        String ns = Names.namespace(tenant);
        Job job = cache.get(Job.class, ns, jobName);
        Pod pod = RunLogs.newest(cache.podsOf(ns, jobName));
        ContainerStatus c = pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
                || pod.getStatus().getContainerStatuses().isEmpty() ? null : pod.getStatus().getContainerStatuses().get(0);
        ContainerStateTerminated ended = c == null || c.getState() == null ? null : c.getState().getTerminated();
        if (ended != null && ended.getExitCode() != null) {
            int code = ended.getExitCode();
            String log = RunLogs.kept(RunLogs.read(cluster, tenant, jobName, RunLogs.KEPT_LINES));
            return new Seen(code == 0 ? RunState.SUCCEEDED : RunState.FAILED, "exited with code " + code
                    + (ended.getReason() == null ? "" : " (" + ended.getReason() + ")"), code, log);
        }
        JobCondition failed = job == null || job.getStatus() == null || job.getStatus().getConditions() == null ? null
                : job.getStatus().getConditions().stream()
                        .filter(x -> "Failed".equals(x.getType()) && "True".equals(x.getStatus())).findFirst().orElse(null);
        if (failed != null) {
            return new Seen(RunState.FAILED, "the Job failed: " + failed.getReason()
                    + (failed.getMessage() == null ? "" : ": " + failed.getMessage()), null, null);
        }
        if (job == null) {
            return state == RunState.RUNNING ? new Seen(RunState.LOST, "the Job was deleted before it finished", null,
                    null) : null;
        }
        if (state == RunState.PENDING && c != null && c.getState() != null && c.getState().getRunning() != null) {
            return new Seen(RunState.RUNNING, null, null, null);
        }
        if (state == RunState.PENDING && c != null && c.getState() != null && c.getState().getWaiting() != null
                && c.getState().getWaiting().getMessage() != null) {
            // Still pending: the reason is shown (an image that cannot be pulled), the state does not move.
            return new Seen(null, c.getState().getWaiting().getReason() + ": " + c.getState().getWaiting().getMessage(),
                    null, null);
        }
        return null;
    }

    void record(long id, String tenant, Seen seen) {
        boolean finished = QuarkusTransaction.requiringNew().call(() -> {
            Run r = Run.findById(id);
            if (r == null || r.state.finished()) {
                return false;
            }
            if (seen.state() == null) {
                if (seen.reason() != null && !seen.reason().equals(r.reason)) {
                    r.reason = seen.reason().length() > 2000 ? seen.reason().substring(0, 2000) : seen.reason();
                }
                return false;
            }
            if (seen.state() == r.state) {
                return false;
            }
            if (r.state == RunState.PENDING && seen.state().finished()) {
                r.move(RunState.RUNNING, null);
            }
            r.move(seen.state(), seen.reason());
            r.exitCode = seen.exitCode();
            r.logTail = seen.log();
            if (r.state.finished()) {
                quota.runFinished(r.tenantId, RunService.reservation(r.id));
            }
            r.flush();
            return r.state.finished();
        });
        if (finished) {
            changed.fire(new DesiredStateChanged(tenant));
        }
    }
}
