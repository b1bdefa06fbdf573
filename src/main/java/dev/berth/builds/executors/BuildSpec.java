package dev.berth.builds.executors;

import dev.berth.builds.source.GitSource;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything an executor needs for one image: where the checked-out code and Dockerfile are (local executor),
 * where they come from (the Kubernetes executor clones in its pod, checking the SSH server against
 * {@code sshKnownHosts}), build arguments, the image to push and the port the app listens on (Jib declares it
 * as the image's exposed port).
 */
public record BuildSpec(long buildId, int number, long appId, String tenant, String app, Path workspace, Path contextDir,
        String dockerfile, Map<String, String> buildArgs, String repoUrl, String commitSha, String subDir,
        GitSource.Credentials credentials, String imageRef, String sshKnownHosts, int port) {
}
