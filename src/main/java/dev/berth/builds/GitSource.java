package dev.berth.builds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.api.CloneCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.LsRemoteCommand;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.BatchingProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * Fetches an app's code with JGit: resolves the branch or tag to a commit, and clones it into a build's workspace,
 * shallow (depth 1) unless a specific older commit was asked for or the server refuses shallow fetches.
 * Credentials are plain values here, unsealed by the caller for this one clone.
 */
final class GitSource {
    static final int TIMEOUT_SECONDS = 120;

    record Credentials(String kind, String user, String secret) {
        static final Credentials NONE = new Credentials("none", null, null);
    }

    record Commit(String sha, String message, String author) {
    }

    private GitSource() {
    }

    /** The commit a branch or tag points at now, without cloning (the fast path for unchanged commits). */
    static String resolve(String url, String ref, Credentials creds, Path scratch) throws GitAPIException {
        LsRemoteCommand ls = Git.lsRemoteRepository().setRemote(url).setHeads(true).setTags(true);
        configure(ls, creds, scratch);
        Collection<Ref> refs = ls.call();
        for (String name : List.of("refs/heads/" + ref, "refs/tags/" + ref + "^{}", "refs/tags/" + ref)) {
            for (Ref r : refs) {
                if (r.getName().equals(name)) {
                    ObjectId id = r.getPeeledObjectId() != null ? r.getPeeledObjectId() : r.getObjectId();
                    return id.name();
                }
            }
        }
        throw new IllegalArgumentException("the repository has no branch or tag named '" + ref + "'");
    }

    /** Clones {@code ref} (and checks out {@code sha} when given) into {@code dir}; returns the checked-out commit. */
    static Commit checkout(String url, String ref, String sha, Credentials creds, Path dir, Path scratch,
            BooleanSupplier cancelled, java.util.function.Consumer<String> log) throws GitAPIException, IOException {
        boolean shallow = sha == null;
        try {
            return cloneInto(url, ref, sha, creds, dir, scratch, cancelled, log, shallow);
        } catch (GitAPIException e) {
            if (!shallow || cancelled.getAsBoolean() || !String.valueOf(e.getMessage()).toLowerCase().contains("shallow")) {
                throw e;
            }
            log.accept("The server does not support shallow clones; cloning the full history.");
            Workspace.deleteTree(dir);
            return cloneInto(url, ref, null, creds, dir, scratch, cancelled, log, false);
        }
    }

    private static Commit cloneInto(String url, String ref, String sha, Credentials creds, Path dir, Path scratch,
            BooleanSupplier cancelled, java.util.function.Consumer<String> log, boolean shallow)
            throws GitAPIException, IOException {
        CloneCommand clone = Git.cloneRepository().setURI(url).setDirectory(dir.toFile()).setBranch(ref)
                .setCloneAllBranches(false).setCloneSubmodules(false).setNoCheckout(sha != null)
                .setProgressMonitor(new Progress(cancelled, log));
        if (shallow) {
            clone.setDepth(1);
        }
        configure(clone, creds, scratch);
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

    private static void configure(TransportCommand<?, ?> cmd, Credentials creds, Path scratch) {
        cmd.setTimeout(TIMEOUT_SECONDS);
        if ("token".equals(creds.kind())) {
            CredentialsProvider p = new UsernamePasswordCredentialsProvider(
                    creds.user() == null ? "x-access-token" : creds.user(), creds.secret());
            cmd.setCredentialsProvider(p);
        } else if ("ssh-key".equals(creds.kind())) {
            SshdSessionFactory factory = sshFactory(creds.secret(), scratch);
            cmd.setTransportConfigCallback(t -> {
                if (t instanceof SshTransport ssh) {
                    ssh.setSshSessionFactory(factory);
                }
            });
        }
    }

    /** An SSH client that uses only the app's deploy key and no file of the Berth host's user. */
    private static SshdSessionFactory sshFactory(String privateKey, Path scratch) {
        Iterable<KeyPair> keys;
        try {
            keys = SecurityUtils.loadKeyPairIdentities(null, () -> "deploy key",
                    new java.io.ByteArrayInputStream(privateKey.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    FilePasswordProvider.EMPTY);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("the SSH deploy key cannot be read (is it an unencrypted private key?)");
        }
        List<KeyPair> list = new java.util.ArrayList<>();
        keys.forEach(list::add);
        Path home = scratch.resolve("ssh-home");
        try {
            Files.createDirectories(home.resolve(".ssh"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new SshdSessionFactoryBuilder().setHomeDirectory(home.toFile()).setSshDirectory(home.resolve(".ssh").toFile())
                .setDefaultKeysProvider(d -> list)
                .setServerKeyDatabase((h, s) -> new AcceptingKeyDatabase())
                .build(null);
    }

    /**
     * Deploy keys authenticate Berth to the host; the host's key is not pinned (no known_hosts per app yet), so
     * the URL's SSRF check is what limits where the connection goes.
     */
    private static final class AcceptingKeyDatabase implements ServerKeyDatabase {
        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return List.of();
        }

        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                Configuration config, CredentialsProvider provider) {
            return true;
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
