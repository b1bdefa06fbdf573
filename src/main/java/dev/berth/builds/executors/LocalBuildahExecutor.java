package dev.berth.builds.executors;

import dev.berth.builds.registry.RegistryAuth;
import dev.berth.builds.run.BuildControl;
import dev.berth.builds.run.BuildFailure;
import dev.berth.builds.run.BuildLog;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.builds.run.ProcessRunner;
import dev.berth.builds.run.Workspace;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds with buildah on the Berth host: {@code buildah bud} with chroot isolation and the vfs storage driver (no
 * daemon, no privileged helper), then {@code buildah push}. Each app has its own storage directory, kept between
 * builds as its layer cache ({@code --layers}); the run root and temporary files live in the build's workspace.
 * Registry credentials go through an auth file in the workspace, never on a command line. Working containers never
 * stay behind: {@code --force-rm} removes a failed step's, and after a build that was stopped (cancel, timeout) the
 * app's storage is cleared of them when no other build of the app runs here.
 */
@ApplicationScoped
public class LocalBuildahExecutor implements BuildExecutor {
    @Inject
    BuildsConfig config;
    @Inject
    RegistryAuth auth;
    @Inject
    BuildStorage storage;

    @Override
    public String buildAndPush(BuildSpec spec, BuildLog.Writer log, BuildControl control, Stages stages)
            throws IOException, InterruptedException {
        Path storage = Files.createDirectories(Path.of(config.cacheDir(), "app-" + spec.appId(), "buildah"));
        try {
            return buildAndPush(spec, log, control, stages, storage);
        } finally {
            if (this.storage.users(spec.appId()) <= 1) {
                removeWorkingContainers(storage);
            }
        }
    }

    private String buildAndPush(BuildSpec spec, BuildLog.Writer log, BuildControl control, Stages stages,
            Path storage) throws IOException, InterruptedException {
        Path runroot = Files.createDirectories(spec.workspace().resolve("runroot"));
        Path tmp = Files.createDirectories(spec.workspace().resolve("tmp"));
        Path authFile = authFile(spec.workspace());
        Map<String, String> env = Map.of("TMPDIR", tmp.toString(), "BUILDAH_ISOLATION", "chroot",
                "STORAGE_DRIVER", "vfs", "HOME", spec.workspace().toString());
        String tls = "--tls-verify=" + !config.registry().insecure();

        List<String> bud = base(storage, runroot);
        bud.addAll(List.of("bud", "--isolation", "chroot", "--layers", "--force-rm", tls, "-f",
                spec.contextDir().resolve(spec.dockerfile()).toString(), "-t", spec.imageRef()));
        if (authFile != null) {
            bud.addAll(List.of("--authfile", authFile.toString()));
        }
        spec.buildArgs().forEach((k, v) -> bud.addAll(List.of("--build-arg", k + "=" + v)));
        bud.add(spec.contextDir().toString());
        log.line("$ buildah bud -f " + spec.dockerfile() + " -t " + spec.imageRef() + argsSummary(spec.buildArgs()));
        int code = ProcessRunner.run(bud, spec.contextDir(), env, log::line, control);
        if (code != 0) {
            throw new BuildFailure("the image build failed (buildah bud exited with " + code + "); see the log above");
        }

        stages.pushing();
        Path digestFile = spec.workspace().resolve("digest");
        List<String> push = base(storage, runroot);
        push.addAll(List.of("push", tls, "--digestfile", digestFile.toString()));
        if (authFile != null) {
            push.addAll(List.of("--authfile", authFile.toString()));
        }
        push.addAll(List.of(spec.imageRef(), "docker://" + spec.imageRef()));
        log.line("$ buildah push " + spec.imageRef());
        code = ProcessRunner.run(push, spec.workspace(), env, log::line, control);
        if (code != 0 || !Files.exists(digestFile)) {
            throw new BuildFailure("pushing the image to " + config.registry().host() + " failed (buildah push exited with "
                    + code + ")");
        }
        return Files.readString(digestFile).trim();
    }

    /**
     * Removes every buildah working container of an app's storage (a killed {@code buildah bud} leaves its stage's
     * container; the layer cache stays). Only while no build of the app runs. Returns how many were removed.
     */
    static int removeWorkingContainers(Path storage) {
        if (!Files.isDirectory(storage)) {
            return 0;
        }
        Path runroot = null;
        try {
            runroot = Files.createTempDirectory("berth-buildah-run");
            List<String> list = base(storage, runroot);
            list.addAll(List.of("containers", "-q"));
            Process ls = new ProcessBuilder(list).redirectErrorStream(true).start();
            String out = new String(ls.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (ls.waitFor() != 0 || out.isBlank()) {
                return 0;
            }
            List<String> rm = base(storage, runroot);
            rm.addAll(List.of("rm", "--all"));
            Process p = new ProcessBuilder(rm).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 ? (int) out.lines().filter(l -> !l.isBlank()).count() : 0;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            if (runroot != null) {
                Workspace.deleteTree(runroot);
            }
        }
    }

    private static List<String> base(Path storage, Path runroot) {
        return new ArrayList<>(List.of("buildah", "--root", storage.toString(), "--runroot", runroot.toString(),
                "--storage-driver", "vfs"));
    }

    private Path authFile(Path workspace) throws IOException {
        if (auth.credential().isEmpty()) {
            return null;
        }
        Path f = workspace.resolve("auth.json");
        Files.writeString(f, auth.dockerConfigJson());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private static String argsSummary(Map<String, String> args) {
        return args.isEmpty() ? "" : " (build args: " + String.join(", ", args.keySet()) + ")";
    }
}
