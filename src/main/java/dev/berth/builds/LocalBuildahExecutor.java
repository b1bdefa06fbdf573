package dev.berth.builds;

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
 * Registry credentials go through an auth file in the workspace, never on a command line.
 */
@ApplicationScoped
public class LocalBuildahExecutor implements BuildExecutor {
    @Inject
    BuildsConfig config;
    @Inject
    RegistryAuth auth;

    @Override
    public String buildAndPush(BuildSpec spec, BuildLog.Writer log, BuildControl control, Stages stages)
            throws IOException, InterruptedException {
        Path storage = Files.createDirectories(Path.of(config.cacheDir(), "app-" + spec.appId(), "buildah"));
        Path runroot = Files.createDirectories(spec.workspace().resolve("runroot"));
        Path tmp = Files.createDirectories(spec.workspace().resolve("tmp"));
        Path authFile = authFile(spec.workspace());
        Map<String, String> env = Map.of("TMPDIR", tmp.toString(), "BUILDAH_ISOLATION", "chroot",
                "STORAGE_DRIVER", "vfs", "HOME", spec.workspace().toString());
        String tls = "--tls-verify=" + !config.registry().insecure();

        List<String> bud = base(storage, runroot);
        bud.addAll(List.of("bud", "--isolation", "chroot", "--layers", tls, "-f",
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
