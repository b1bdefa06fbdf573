package dev.berth.builds.executors;

import dev.berth.builds.registry.RegistryAuth;
import dev.berth.builds.run.BuildControl;
import dev.berth.builds.run.BuildLog;
import dev.berth.builds.run.BuildLogFeed;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.builds.run.Workspace;
import dev.berth.builds.source.GitSource;
import dev.berth.builds.source.HostPolicy;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A second Berth worker in a JVM of its own, for {@code BuildCrashTest} to kill with SIGKILL in the middle of a build.
 * It runs a build the test claimed for it with Berth's own parts, as {@link dev.berth.builds.BuildRunner} does: a {@link Workspace},
 * the clone ({@link GitSource}), {@link LocalBuildahExecutor} with its {@link dev.berth.builds.run.ProcessRunner}, the build log in
 * PostgreSQL and the heartbeat. Arguments: JDBC URL, build id, app id, workspace dir, cache dir, registry host,
 * registry auth file, Git URL, image reference.
 */
public final class CrashingBuildHost {
    private CrashingBuildHost() {
    }

    public static void main(String[] a) throws Exception {
        String jdbc = a[0];
        long buildId = Long.parseLong(a[1]);
        long appId = Long.parseLong(a[2]);
        SmallRyeConfig cfg = new SmallRyeConfigBuilder().withMapping(BuildsConfig.class)
                .withConverter(io.quarkus.runtime.configuration.MemorySize.class, 100,
                        new io.quarkus.runtime.configuration.MemorySizeConverter())
                .withConverter(Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(Map.of("berth.builds.workspace-dir", a[3],
                        "berth.builds.cache-dir", a[4], "berth.builds.registry.host", a[5],
                        "berth.builds.registry.insecure", "true", "berth.builds.registry.auth-file", a[6]),
                        "crash-host", 500))
                .build();
        BuildsConfig config = cfg.getConfigMapping(BuildsConfig.class);
        AgroalDataSource db = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(cp -> cp.maxSize(4).connectionFactoryConfiguration(
                        cf -> cf.jdbcUrl(jdbc).principal(new NamePrincipal("postgres")))));
        // The feed is not started: it announces nothing, and the test's instance reads at its fallback.
        BuildLog logs = new BuildLog(db, new BuildLogFeed());
        logs.startFlushing();
        ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor();
        beat.scheduleAtFixedRate(() -> {
            try (Connection c = db.getConnection();
                    PreparedStatement ps = c.prepareStatement("update build set heartbeat_at = now() where id = ?")) {
                ps.setLong(1, buildId);
                ps.executeUpdate();
            } catch (Exception e) {
                System.out.println("heartbeat failed: " + e);
            }
        }, 0, 500, TimeUnit.MILLISECONDS);

        RegistryAuth auth = new RegistryAuth(config);
        BuildStorage storage = new BuildStorage();
        storage.config = config;
        LocalBuildahExecutor buildah = new LocalBuildahExecutor();
        buildah.config = config;
        buildah.auth = auth;
        buildah.storage = storage;
        BuildControl control = new BuildControl(Duration.ofMinutes(10));
        try (BuildLog.Writer log = logs.open(buildId, List.of());
                BuildStorage.Lease lease = storage.use(appId);
                Workspace ws = new Workspace(Path.of(config.workspaceDir()), buildId, appId)) {
            control.recordProcessesIn(ws.root.resolve(Workspace.PROCESSES));
            Path repo = ws.root.resolve("src");
            GitSource.Commit commit = GitSource.checkout(a[7], "main", null, GitSource.Credentials.NONE, null,
                    new HostPolicy(List.of("127.0.0.1", "localhost"), HostPolicy.DNS), repo,
                    ws.dir("scratch"), control::stopped, log::line);
            log.line("Checked out " + commit.sha() + " (crash host)");
            System.out.println("workspace " + ws.root);
            BuildSpec spec = new BuildSpec(buildId, 1, appId, "t", "web", ws.root, repo, "Dockerfile", Map.of(),
                    a[7], commit.sha(), null, GitSource.Credentials.NONE, a[8], null, 8080);
            String digest = buildah.buildAndPush(spec, log, control, () -> { });
            System.out.println("pushed " + digest); // never reached: the test kills this JVM before
        }
    }
}
