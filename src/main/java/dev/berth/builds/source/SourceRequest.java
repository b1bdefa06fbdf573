package dev.berth.builds.source;

import java.util.Map;

/**
 * Connects an app to a repository. {@code token} (with an optional {@code username}) or {@code sshPrivateKey}
 * authenticate against private repositories; both are write-only: omitted on a later change they stay as they
 * were, {@code clearCredentials} removes them. {@code sshKnownHosts} (OpenSSH known_hosts lines) lists the only
 * SSH host keys accepted; without it the first key seen is pinned, and {@code resetHostKey} forgets that pin.
 */
public record SourceRequest(String repoUrl, String ref, String subDirectory, String dockerfile,
        Map<String, String> buildArgs, String username, String token, String sshPrivateKey, Boolean clearCredentials,
        String sshKnownHosts, Boolean resetHostKey) {
}
