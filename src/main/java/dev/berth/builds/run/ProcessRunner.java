package dev.berth.builds.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a build tool as a child process, streams its output into the build log, and kills it with everything it
 * started when the build stops. The process leads a process group of its own that dies with Berth
 * ({@link ProcessTree}); the group is recorded in the build's workspace, so a later start can reap it if needed.
 */
public final class ProcessRunner {
    private ProcessRunner() {
    }

    /** Exit code of the process; throws {@link StoppedException} when the build was cancelled or timed out. */
    public static int run(List<String> command, Path workDir, Map<String, String> env, Consumer<String> log,
            BuildControl control)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(ProcessTree.guarded(command)).directory(workDir.toFile())
                .redirectErrorStream(true);
        Map<String, String> inherited = inherited(pb.environment());
        pb.environment().clear();
        pb.environment().putAll(inherited);
        pb.environment().putAll(env);
        Process p = pb.start();
        // The process's stdin stays open while it runs: its guard kills the group when the pipe closes (Berth died).
        ProcessTree.ProcessLeader leader = ProcessTree.ProcessLeader.of(p.toHandle());
        control.started(leader);
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.accept(line);
                }
            } catch (IOException e) {
                // the process was killed; its output ends here
            }
        }, "build-output");
        pump.setDaemon(true);
        pump.start();
        try {
            while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
                if (control.stopped()) {
                    kill(p);
                    pump.join(2000);
                    throw new StoppedException(control.stopReason());
                }
            }
            pump.join(5000);
            return p.exitValue();
        } finally {
            if (p.isAlive()) {
                kill(p);
            }
            // Anything the tool left running in its group (a daemon it forked) ends with the build.
            ProcessTree.kill(leader, KILL_GRACE);
            p.getOutputStream().close();
            control.ended(leader);
        }
    }

    /** The only variables of Berth's environment a build tool inherits: the search path, locale, time zone, proxies. */
    private static final java.util.Set<String> INHERITED = java.util.Set.of("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ",
            "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy");

    /**
     * What a build tool inherits from Berth's environment: only {@link #INHERITED}, so nothing that carries Berth's
     * secrets key, database or OIDC credentials, or any other secret given to Berth, reaches it. Variables a caller
     * passes explicitly still apply.
     */
    static Map<String, String> inherited(Map<String, String> parent) {
        Map<String, String> out = new java.util.HashMap<>();
        parent.forEach((k, v) -> {
            if (INHERITED.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** How long a stopped build's processes get to end after SIGTERM, before SIGKILL. */
    public static final java.time.Duration KILL_GRACE = java.time.Duration.ofSeconds(5);

    private static void kill(Process p) throws InterruptedException {
        ProcessTree.kill(ProcessTree.ProcessLeader.of(p.toHandle()), KILL_GRACE);
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** The build was stopped (cancel or timeout) while a process ran. */
    public static final class StoppedException extends RuntimeException {
        public StoppedException(String reason) {
            super(reason);
        }
    }
}
