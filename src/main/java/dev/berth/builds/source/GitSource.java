package dev.berth.builds.source;

import dev.berth.builds.run.Workspace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.jgit.api.CloneCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.BatchingProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Fetches an app's code with JGit: resolves the branch or tag to a commit, and clones it into a build's workspace,
 * shallow (depth 1) unless a specific older commit was asked for or the server refuses shallow fetches.
 * Credentials are plain values here, unsealed by the caller for this one clone. SSH connections accept only the
 * host keys {@link HostKeyCheck} allows; a refused login or host key fails with a reason that says so, and so does a
 * connection to a host {@link HostPolicy} refuses (a redirect, or a DNS answer that changed since the last check).
 */
public final class GitSource {
    static final int TIMEOUT_SECONDS = 120;

    public record Credentials(String kind, String user, String secret) {
        public static final Credentials NONE = new Credentials("none", null, null);
    }

    public record Commit(String sha, String message, String author) {
    }

    private GitSource() {
    }

    /**
     * Clones {@code ref} (and checks out {@code sha} when given) into {@code dir}; returns the checked-out commit.
     * A refused login or SSH host key becomes a {@link dev.berth.builds.run.BuildFailure} that says so.
     */
    public static Commit checkout(String url, String ref, String sha, Credentials creds, HostKeyCheck hostKeys,
            HostPolicy hosts, Path dir, Path scratch, BooleanSupplier cancelled, Consumer<String> log)
            throws GitAPIException, IOException {
        boolean shallow = sha == null;
        try (GitConnection c = new GitConnection(creds, hostKeys, hosts, scratch)) {
            try {
                return cloneInto(url, ref, sha, c, dir, cancelled, log, shallow);
            } catch (GitAPIException e) {
                if (!shallow || cancelled.getAsBoolean()
                        || !String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("shallow")) {
                    throw c.explain(e, url);
                }
            }
            log.accept("The server does not support shallow clones; cloning the full history.");
            Workspace.deleteTree(dir);
            try {
                return cloneInto(url, ref, null, c, dir, cancelled, log, false);
            } catch (GitAPIException e) {
                throw c.explain(e, url);
            }
        }
    }

    private static Commit cloneInto(String url, String ref, String sha, GitConnection conn, Path dir,
            BooleanSupplier cancelled, Consumer<String> log, boolean shallow) throws GitAPIException, IOException {
        CloneCommand clone = Git.cloneRepository().setURI(url).setDirectory(dir.toFile()).setBranch(ref)
                .setCloneAllBranches(false).setCloneSubmodules(false).setNoCheckout(sha != null)
                .setProgressMonitor(new Progress(cancelled, log));
        if (shallow) {
            clone.setDepth(1);
        }
        conn.configure(clone);
        try (Git git = clone.call()) {
            if (cancelled.getAsBoolean()) {
                throw new CancelledException();
            }
            if (sha != null) {
                ObjectId id = git.getRepository().resolve(sha + "^{commit}");
                if (id == null) {
                    throw new IllegalArgumentException("commit " + sha + " is not on '" + ref + "'");
                }
                git.reset().setMode(org.eclipse.jgit.api.ResetCommand.ResetType.HARD).setRef(id.name()).call();
            }
            try (RevWalk walk = new RevWalk(git.getRepository())) {
                RevCommit c = walk.parseCommit(git.getRepository().resolve("HEAD"));
                return new Commit(c.name(), c.getShortMessage(),
                        c.getAuthorIdent().getName() + " <" + c.getAuthorIdent().getEmailAddress() + ">");
            }
        }
    }

    /** Reports clone progress to the build log now and then, and stops the clone when the build is cancelled. */
    private static final class Progress extends BatchingProgressMonitor {
        private final BooleanSupplier cancelled;
        private final java.util.function.Consumer<String> log;

        Progress(BooleanSupplier cancelled, java.util.function.Consumer<String> log) {
            this.cancelled = cancelled;
            this.log = log;
            setDelayStart(2, java.util.concurrent.TimeUnit.SECONDS);
        }

        @Override
        public boolean isCancelled() {
            return cancelled.getAsBoolean();
        }

        @Override
        protected void onUpdate(String taskName, int workCurr, java.time.Duration duration) {
        }

        @Override
        protected void onEndTask(String taskName, int workCurr, java.time.Duration duration) {
            log.accept(taskName + ": " + workCurr);
        }

        @Override
        protected void onUpdate(String taskName, int workCurr, int workTotal, int percentDone, java.time.Duration duration) {
        }

        @Override
        protected void onEndTask(String taskName, int workCurr, int workTotal, int percentDone, java.time.Duration duration) {
            log.accept(taskName + ": " + percentDone + "% (" + workCurr + "/" + workTotal + ")");
        }
    }

    /** Thrown when a cancel request stopped the work. */
    static final class CancelledException extends RuntimeException {
        CancelledException() {
            super("cancelled");
        }
    }
}
