package dev.berth.builds.executors;

import dev.berth.builds.run.BuildsConfig;
import dev.berth.builds.run.ProcessRunner;
import dev.berth.builds.run.ProcessTree;
import dev.berth.builds.run.Workspace;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Cleans up after Berth instances on this host that died while they built (killed, out of memory, host crash):
 * their builds' process groups (normally already killed by {@link ProcessTree}'s guard when the JVM died), their
 * workspaces, and the buildah working containers a killed {@code buildah bud} leaves in the app's storage. A
 * workspace belongs to a dead instance when the process named in it is gone. Runs at start-up, before builds are
 * recovered, and every minute.
 */
@ApplicationScoped
public class BuildReaper {
    private static final Logger LOG = Logger.getLogger(BuildReaper.class);
    /** A workspace without an owner yet may be one being made right now. */
    private static final Duration UNOWNED_GRACE = Duration.ofMinutes(1);

    @Inject
    BuildsConfig config;
    @Inject
    BuildStorage storage;

    /** What one pass removed. */
    public record Reaped(int workspaces, int processes, int containers) {
    }

    @Scheduled(every = "60s", delayed = "60s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reapPeriodically() {
        try {
            reap();
        } catch (RuntimeException e) {
            LOG.warnf(e, "reaping dead builds' leftovers failed: %s", e.getMessage());
        }
    }

    public synchronized Reaped reap() {
        int workspaces = 0;
        int processes = 0;
        Set<Long> apps = new LinkedHashSet<>();
        Set<Long> liveApps = new LinkedHashSet<>();
        for (Path dir : workspaces()) {
            if (Workspace.ownerAlive(dir) || unownedAndNew(dir)) {
                liveApps.add(Workspace.appId(dir));
                continue;
            }
            for (String line : lines(dir.resolve(Workspace.PROCESSES))) {
                processes += ProcessTree.ProcessLeader.parse(line)
                        .map(g -> ProcessTree.kill(g, ProcessRunner.KILL_GRACE)).orElse(0);
            }
            long appId = Workspace.appId(dir);
            if (appId >= 0) {
                apps.add(appId);
            }
            try {
                Workspace.deleteTree(dir);
                workspaces++;
            } catch (RuntimeException e) {
                LOG.warnf("cannot remove the workspace %s of a stopped Berth: %s", dir, e.getMessage());
            }
        }
        int containers = 0;
        for (long appId : apps) {
            if (!liveApps.contains(appId) && storage.users(appId) == 0) {
                containers += LocalBuildahExecutor.removeWorkingContainers(storage.appCache(appId).resolve("buildah"));
            }
        }
        Reaped r = new Reaped(workspaces, processes, containers);
        if (workspaces + processes + containers > 0) {
            LOG.infof("reaped what a stopped Berth left: %d workspace(s), %d process(es), %d buildah container(s)",
                    workspaces, processes, containers);
        }
        return r;
    }

    private List<Path> workspaces() {
        Path parent = Path.of(config.workspaceDir());
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(parent)) {
            return s.filter(p -> Workspace.buildId(p) >= 0 && Files.isDirectory(p)).toList();
        } catch (IOException e) {
            LOG.warnf("cannot list %s: %s", parent, e.getMessage());
            return List.of();
        }
    }

    private static boolean unownedAndNew(Path dir) {
        try {
            return !Files.exists(dir.resolve(Workspace.OWNER)) && Files.getLastModifiedTime(dir).toInstant()
                    .isAfter(Instant.now().minus(UNOWNED_GRACE));
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> lines(Path f) {
        try {
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }
}
