package dev.berth.builds.source;

import java.time.Instant;
import java.util.Map;

/**
 * An app's repository connection as the API shows it: which credentials exist, never their value; the SSH
 * known_hosts lines it was given, and the SSH host key pinned on first use (its fingerprint), if any.
 */
public record SourceView(String repoUrl, String ref, String subDirectory, String dockerfile,
        Map<String, String> buildArgs, String credentials, String username, String sshKnownHosts,
        PinnedHostKey pinnedHostKey, Instant updatedAt, long version) {

    /** The server key the first successful SSH connection saw; later connections must present the same. */
    public record PinnedHostKey(String fingerprint, Instant pinnedAt) {
    }

    static SourceView of(AppSource s) {
        PinnedHostKey pin = s.sshHostKeySha256 == null ? null
                : new PinnedHostKey(s.sshHostKeySha256, s.sshHostKeyPinnedAt);
        return new SourceView(s.repoUrl, s.gitRef, s.subDir, s.dockerfile, s.buildArgs, s.authKind, s.authUser,
                s.sshKnownHosts, pin, s.updatedAt, s.version);
    }
}
