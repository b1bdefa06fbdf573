package dev.berth.builds;

import java.time.Instant;
import java.util.Map;

/** An app's repository connection as the API shows it: which credentials exist, never their value. */
public record SourceView(String repoUrl, String ref, String subDirectory, String dockerfile,
        Map<String, String> buildArgs, String credentials, String username, Instant updatedAt) {
    static SourceView of(AppSource s) {
        return new SourceView(s.repoUrl, s.gitRef, s.subDir, s.dockerfile, s.buildArgs, s.authKind, s.authUser,
                s.updatedAt);
    }
}
