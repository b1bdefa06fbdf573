package dev.berth.builds;

import java.util.Map;

/**
 * Connects an app to a repository. {@code token} (with an optional {@code username}) or {@code sshPrivateKey}
 * authenticate against private repositories; both are write-only: omitted on a later change they stay as they
 * were, {@code clearCredentials} removes them.
 */
public record SourceRequest(String repoUrl, String ref, String subDirectory, String dockerfile,
        Map<String, String> buildArgs, String username, String token, String sshPrivateKey, Boolean clearCredentials) {
}
