package dev.berth.builds;

import dev.berth.apps.App;
import dev.berth.builds.executors.BuildExecutor;
import dev.berth.builds.executors.BuildExecutors;
import dev.berth.builds.executors.BuildSpec;
import dev.berth.builds.executors.BuildStorage;
import dev.berth.builds.packaging.JibPackager;
import dev.berth.builds.registry.PushedImages;
import dev.berth.builds.registry.RegistryAuth;
import dev.berth.builds.run.BuildControl;
import dev.berth.builds.run.BuildFailure;
import dev.berth.builds.run.BuildLog;
import dev.berth.builds.run.BuildTimeout;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.builds.run.ProcessRunner;
import dev.berth.builds.run.Workspace;
import dev.berth.builds.source.AppSource;
import dev.berth.builds.source.GitSource;
import dev.berth.builds.source.HostKeyCheck;
import dev.berth.builds.source.KnownHosts;
import dev.berth.builds.source.SourceService;
import dev.berth.builds.source.UrlGuard;
import dev.berth.quotas.Plan;
import dev.berth.quotas.QuotaService;
import dev.berth.secrets.SecretBox;
import dev.berth.tenancy.Tenant;
import dev.berth.live.LiveSignals;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.jboss.logging.Logger;

/**
 * Runs one claimed build from start to end: checks the repository URL again, clones the commit into a fresh
 * workspace, builds and pushes the image (Dockerfile through the configured executor, otherwise Jib), records the
 * result and deploys it. Whatever happens, the workspace is removed and the build ends in a final state with a
 * reason; a heartbeat keeps the claim alive and carries cancel requests in.
 */
@ApplicationScoped
public class BuildRunner {
    private static final Logger LOG = Logger.getLogger(BuildRunner.class);

    @Inject
    BuildsConfig config;
    @Inject
    BuildLog logs;
    @Inject
    SecretBox secrets;
    @Inject
    UrlGuard guard;
    @Inject
    Instance<BuildQueue> queue;
    @Inject
    BuildExecutors executors;
    @Inject
    JibPackager jib;
    @Inject
    BuildDeployer deployer;
    @Inject
    QuotaService quotas;
    @Inject
    SourceService sources;
    @Inject
    RegistryAuth registryAuth;
    @Inject
    PushedImages pushed;
    @Inject
    BuildStorage storage;

    private final ScheduledExecutorService heartbeats = java.util.concurrent.Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "build-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private final Set<BuildControl> active = ConcurrentHashMap.newKeySet();

    /** What a build needs, read in one short transaction before anything slow happens. */
    record Job(long buildId, int number, long tenantId, String tenant, long appId, String app, String repoUrl,
            String ref, String requestedSha, String subDir, String dockerfile, Map<String, String> buildArgs,
            GitSource.Credentials credentials, String requestedBy, String sshKnownHosts, String pinnedHostKey,
            BuildTimeout timeout, int port) {
    }

    void run(long buildId, String worker) {
        Job job;
        try {
            job = QuarkusTransaction.requiringNew().call(() -> load(buildId));
        } catch (RuntimeException e) {
            // The app or its repository went away between queueing and now: the build ends, it never hangs.
            LOG.warnf("build %d cannot start: %s", buildId, e.getMessage());
            record(buildId, b -> {
                b.moveTo(BuildState.FAILED);
                b.failureReason = truncate("cannot start: " + e.getMessage(), 2000);
                b.finishedAt = Instant.now();
                b.logOpen = false;
            });
            return;
        }
        BuildControl control = new BuildControl(job.timeout());
        active.add(control);
        ScheduledFuture<?> beat = heartbeats.scheduleAtFixedRate(() -> {
            try {
                if (queue.get().heartbeat(buildId)) {
                    control.requestCancel();
                }
            } catch (RuntimeException e) {
                LOG.debugf("heartbeat of build %d failed: %s", buildId, e.getMessage());
            }
        }, 0, config.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
        List<String> hidden = new ArrayList<>();
        if (job.credentials().secret() != null) {
            hidden.add(job.credentials().secret());
        }
        try {
            registryAuth.credential().ifPresent(c -> hidden.add(c.password()));
        } catch (BuildFailure unreadable) {
            // No password to hide; the push reports why the credential cannot be read.
        }
        Instant began = Instant.now();
        boolean ended = true;
        try (BuildLog.Writer log = logs.open(buildId, hidden)) {
            try (BuildStorage.Lease cache = storage.use(job.appId());
                    Workspace ws = new Workspace(Path.of(config.workspaceDir()), buildId, job.appId())) {
                control.recordProcessesIn(ws.root.resolve(Workspace.PROCESSES));
                execute(job, ws, log, control);
            } catch (Exception e) {
                ended = finishAfterError(job, e, control, log);
            } finally {
                beat.cancel(false);
                active.remove(control);
                meter(job, began, ended);
            }
        } finally {
            if (ended) {
                logs.close(buildId); // after the writer's last lines are stored
            }
        }
    }

    private void execute(Job job, Workspace ws, BuildLog.Writer log, BuildControl control) throws Exception {
        log.line("Build #" + job.number() + " of " + job.tenant() + "/" + job.app() + ": " + job.repoUrl() + " ("
                + job.ref() + (job.requestedSha() == null ? "" : " at " + job.requestedSha()) + ")");
        log.line("Time limit: " + job.timeout().text() + " (" + job.timeout().limit() + ")");
        String why = guard.checkGitUrl(job.repoUrl());
        if (why != null) {
            throw new BuildFailure("repository URL refused: " + why);
        }
        Path repo = ws.root.resolve("src");
        HostKeyCheck hostKeys = HostKeyCheck.forUrl(job.repoUrl(), job.sshKnownHosts(), job.pinnedHostKey());
        GitSource.Commit commit = GitSource.checkout(job.repoUrl(), job.ref(), job.requestedSha(), job.credentials(),
                hostKeys, guard.policy(), repo, ws.dir("scratch"), control::stopped, log::line);
        stopIfAsked(control);
        String knownHosts = knownHostsForBuilder(job, hostKeys, log);
        log.line("Checked out " + commit.sha() + " \"" + commit.message() + "\" by " + commit.author());
        Path context = job.subDir() == null ? repo : repo.resolve(job.subDir()).normalize();
        if (!context.startsWith(repo) || !Files.isDirectory(context)) {
            throw new BuildFailure("the sub-directory '" + job.subDir() + "' does not exist in commit " + commit.sha());
        }
        Path dockerfile = context.resolve(job.dockerfile()).normalize();
        boolean withDockerfile = dockerfile.startsWith(context) && Files.isRegularFile(dockerfile);
        JibPackager.Detection detection = withDockerfile ? null : jib.detect(context);
        String strategy = withDockerfile ? "dockerfile" : detection == null ? null : detection.strategy();
        String detected = withDockerfile ? "Dockerfile at " + repo.relativize(dockerfile)
                : detection == null ? null : detection.description();
        String imageRef = config.registry().host() + "/" + job.tenant() + "/" + job.app() + ":" + commit.sha().substring(0, 12);
        String inputs = inputsKey(job, commit.sha(), strategy);
        record(job.buildId(), b -> {
            b.commitSha = commit.sha();
            b.commitMessage = truncate(commit.message(), 2000);
            b.commitAuthor = truncate(commit.author(), 300);
            b.strategy = strategy;
            b.detected = truncate(detected, 1000);
            b.imageRef = imageRef;
            b.inputsKey = inputs;
        });
        if (strategy == null) {
            throw new BuildFailure(JibPackager.nothingFound(job.subDir(), job.dockerfile()));
        }
        log.line("Detected: " + detected);
        String reused = reusableDigest(job.appId(), job.buildId(), inputs);
        if (reused != null && !pushed.stillThere(imageRef, reused)) {
            log.line("Commit " + commit.sha().substring(0, 12) + " was built with the same settings as " + reused
                    + ", but the registry no longer has that image; building it again.");
            reused = null;
        }
        String digest;
        if (reused != null) {
            log.line("Commit " + commit.sha().substring(0, 12) + " was already built with the same settings as "
                    + reused + "; reusing that image.");
            digest = reused;
        } else {
            String why2 = guard.checkRegistryHost(config.registry().host());
            if (why2 != null) {
                throw new BuildFailure("registry refused: " + why2);
            }
            setState(job.buildId(), BuildState.BUILDING);
            BuildSpec spec = new BuildSpec(job.buildId(), job.number(), job.appId(), job.tenant(), job.app(), ws.root,
                    context, context.relativize(dockerfile).toString(), job.buildArgs(), job.repoUrl(), commit.sha(),
                    job.subDir(), job.credentials(), imageRef, knownHosts, job.port());
            BuildExecutor.Stages stages = () -> setState(job.buildId(), BuildState.PUSHING);
            digest = withDockerfile ? executors.current().buildAndPush(spec, log, control, stages)
                    : jib.buildAndPush(spec, detection, log, control, stages,
                            found -> record(job.buildId(), b -> b.detected = truncate(found, 1000)));
        }
        stopIfAsked(control);
        String pinned = PushedImages.digestRef(imageRef, digest);
        log.line("Pushed " + pinned);
        record(job.buildId(), b -> {
            b.imageDigest = digest;
            b.moveTo(BuildState.SUCCEEDED);
            b.finishedAt = Instant.now();
        });
        log.line("Build #" + job.number() + " succeeded.");
        log.flush();
        deployer.deploy(job, pinned, log);
    }

    /**
     * Pins the host key a first SSH connection accepted, and returns the known_hosts lines a builder pod that
     * fetches the code again must check the server against (null for non-SSH URLs).
     */
    private String knownHostsForBuilder(Job job, HostKeyCheck hostKeys, BuildLog.Writer log) {
        if (hostKeys == null) {
            return null;
        }
        if (job.sshKnownHosts() != null) {
            return job.sshKnownHosts();
        }
        String keyText = job.pinnedHostKey();
        java.security.PublicKey seen = hostKeys.firstSeen();
        if (seen != null) {
            keyText = KnownHosts.keyText(seen);
            String fingerprint = KnownHosts.fingerprint(seen);
            if (sources.pinHostKey(job.appId(), job.repoUrl(), keyText, fingerprint)) {
                log.line("Pinned the SSH host key of " + hostKeys.target() + ": " + fingerprint
                        + " (trust on first use; later builds accept only this key)");
            }
        }
        // The builder pod connects to this one server only; a pattern for every host keeps [host]:port forms simple.
        return keyText == null ? null : "* " + keyText + "\n";
    }

    /** Records why the build stopped; false when it was queued again instead of ending. */
    private boolean finishAfterError(Job job, Exception e, BuildControl control, BuildLog.Writer log) {
        BuildState state = BuildState.FAILED;
        String reason;
        if (control.cancelRequested()) {
            state = BuildState.CANCELLED;
            reason = "cancelled";
        } else if (control.shuttingDown()) {
            // Queued again for the next start of Berth (or another instance), not failed.
            log.line("*** Berth is shutting down; this build will run again.");
            record(job.buildId(), b -> {
                if (!b.state.running()) {
                    return; // recovery took it over already
                }
                b.moveTo(BuildState.QUEUED);
                b.worker = null;
                b.heartbeatAt = null;
                b.logOpen = false;
            });
            return false;
        } else if (control.timedOut()) {
            reason = control.stopReason();
        } else if (e instanceof BuildFailure) {
            reason = e.getMessage();
        } else if (e instanceof GitAPIException || e.getCause() instanceof GitAPIException
                || e instanceof IllegalArgumentException) {
            reason = "fetching the code failed: " + BuildLog.redact(gitMessage(e), hiddenOf(job));
        } else {
            LOG.errorf(e, "build %d failed unexpectedly", job.buildId());
            reason = "internal error: " + BuildLog.redact(String.valueOf(e), hiddenOf(job));
        }
        log.line("*** Build #" + job.number() + " " + state + ": " + reason);
        BuildState finalState = state;
        String finalReason = truncate(reason, 2000);
        record(job.buildId(), b -> {
            if (!b.state.running()) {
                // It ended before the error (a log line after success failed to store), or recovery queued it again
                // as left by a dead worker: this attempt does not decide its state any more.
                return;
            }
            b.moveTo(finalState);
            b.failureReason = finalReason;
            b.finishedAt = Instant.now();
            // Whatever was pushed before it stopped (a push that failed half-way, a cancel after the push) is not
            // this build's image: it is never reused, shown or released.
            b.imageRef = null;
            b.imageDigest = null;
        });
        return true;
    }

    /** JGit's message with the cause's when it adds something ("Invalid remote: origin" alone says little). */
    static String gitMessage(Throwable e) {
        String message = String.valueOf(e.getMessage());
        Throwable cause = e.getCause();
        while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += ": " + cause.getMessage();
        }
        return message;
    }

    /**
     * Frees the build's concurrent-build slot and meters the time this attempt ran, whatever its outcome; the build
     * counts once, when it ends (not when a shutdown queues it again).
     */
    private void meter(Job job, Instant began, boolean ended) {
        try {
            quotas.attemptEnded(job.tenantId(), BuildQueue.slot(job.buildId()), elapsed(began), ended);
        } catch (RuntimeException e) {
            LOG.warnf(e, "could not meter build %d", job.buildId());
        }
    }

    private static List<String> hiddenOf(Job job) {
        return job.credentials().secret() == null ? List.of() : List.of(job.credentials().secret());
    }

    /** Stops every running build of this instance (Berth is shutting down); they are queued again. */
    void shutdown() {
        active.forEach(BuildControl::shutdown);
    }

    private Job load(long buildId) {
        Build b = Build.findById(buildId);
        App app = App.findById(b.appId);
        AppSource s = AppSource.forApp(b.appId);
        Tenant t = Tenant.findById(b.tenantId);
        Plan plan = Plan.findById(t.planId);
        if (s == null) {
            throw new IllegalStateException("app " + app.name + " has no repository any more");
        }
        GitSource.Credentials creds = s.authSecret == null ? GitSource.Credentials.NONE
                : new GitSource.Credentials(s.authKind, s.authUser, secrets.decrypt(s.authSecret));
        return new Job(b.id, b.number, b.tenantId, t.slug, app.id, app.name, s.repoUrl, s.gitRef, b.requestedSha,
                s.subDir, s.dockerfile, Map.copyOf(s.buildArgs), creds, b.requestedBy, s.sshKnownHosts, s.sshHostKey,
                BuildTimeout.effective(config.timeout(), t.buildTimeoutSeconds, plan.name, plan.buildTimeoutSeconds),
                app.port);
    }

    private static void stopIfAsked(BuildControl control) {
        if (control.stopped()) {
            throw new ProcessRunner.StoppedException(control.stopReason());
        }
    }

    private static void setState(long buildId, BuildState state) {
        record(buildId, b -> b.moveTo(state));
    }

    /**
     * Changes the build's row in its own transaction, holding the row lock from the read to the commit: a cancel
     * request (which takes the same lock) that comes in between waits, instead of having its flag written back
     * as it was when the worker read the row.
     */
    static void record(long buildId, java.util.function.Consumer<Build> change) {
        QuarkusTransaction.requiringNew().run(() -> {
            Build b = Build.findById(buildId, LockModeType.PESSIMISTIC_WRITE);
            change.accept(b);
            // The builds list shows states and durations: its pages are told once the change commits.
            Tenant t = b == null ? null : Tenant.findById(b.tenantId);
            if (t != null) {
                io.quarkus.arc.Arc.container().instance(LiveSignals.class).get().afterCommit(t.slug);
            }
        });
    }

    /** A previous successful build of the same inputs whose image can be deployed again as it is. */
    private static String reusableDigest(long appId, long buildId, String inputs) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Build prev = Build.find("appId = ?1 and id <> ?2 and state = ?3 and inputsKey = ?4 order by number desc",
                    appId, buildId, BuildState.SUCCEEDED, inputs).firstResult();
            return prev == null ? null : prev.imageDigest;
        });
    }

    /**
     * Same commit, same place in the repository, same Dockerfile and arguments, same strategy, same base images and
     * Maven/Gradle arguments: same image. Jib images also carry the user they run as and the app's port (as their
     * exposed port), so for them those count too; a Dockerfile decides both itself.
     */
    private String inputsKey(Job job, String sha, String strategy) throws Exception {
        String text = String.join("\n", sha, String.valueOf(job.subDir()), job.dockerfile(),
                String.valueOf(new java.util.TreeMap<>(job.buildArgs())), String.valueOf(strategy),
                config.registry().host(), config.jib().staticBaseImage(), config.jib().jreBaseImage(),
                String.valueOf(config.jib().mavenArgs().orElse(List.of())),
                String.valueOf(config.jib().gradleArgs().orElse(List.of())));
        if (strategy != null && !strategy.equals("dockerfile")) {
            text += "\nuser=" + config.jib().user() + "\nport=" + job.port();
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    static Duration elapsed(Instant since) {
        return Duration.between(since, Instant.now());
    }
}
