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
import java.util.Locale;
import java.util.function.Consumer;
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
 * Credentials are plain values here, unsealed by the caller for this one clone. SSH connections accept only the
 * host keys {@link HostKeyCheck} allows; a refused login or host key fails with a reason that says so.
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
    static String resolve(String url, String ref, Credentials creds, HostKeyCheck hostKeys, Path scratch)
            throws GitAPIException {
        LsRemoteCommand ls = Git.lsRemoteRepository().setRemote(url).setHeads(true).setTags(true);
        Collection<Ref> refs;
        try (Connection c = new Connection(creds, hostKeys, scratch)) {
            c.configure(ls);
            try {
                refs = ls.call();
            } catch (GitAPIException e) {
                throw c.explain(e, url);
            }
        }
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

    /**
     * Clones {@code ref} (and checks out {@code sha} when given) into {@code dir}; returns the checked-out commit.
     * A refused login or SSH host key becomes a {@link BuildFailure} that says so.
     */
    static Commit checkout(String url, String ref, String sha, Credentials creds, HostKeyCheck hostKeys, Path dir,
            Path scratch, BooleanSupplier cancelled, Consumer<String> log) throws GitAPIException, IOException {
        boolean shallow = sha == null;
        try (Connection c = new Connection(creds, hostKeys, scratch)) {
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

    private static Commit cloneInto(String url, String ref, String sha, Connection conn, Path dir,
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

    /**
     * The transport settings of one Git operation: the token, or an SSH client that uses only the app's deploy key,
     * no file of the Berth host's user, and the host key check of the source. Closing it stops the SSH client.
     */
    private static final class Connection implements AutoCloseable {
        private final Credentials creds;
        private final HostKeyCheck hostKeys;
        private final Path scratch;
        private SshdSessionFactory ssh;
        private String deployKeyFingerprint;

        Connection(Credentials creds, HostKeyCheck hostKeys, Path scratch) {
            this.creds = creds;
            this.hostKeys = hostKeys;
            this.scratch = scratch;
        }

        void configure(TransportCommand<?, ?> cmd) {
            cmd.setTimeout(TIMEOUT_SECONDS);
            if ("token".equals(creds.kind())) {
                cmd.setCredentialsProvider(new UsernamePasswordCredentialsProvider(
                        creds.user() == null ? "x-access-token" : creds.user(), creds.secret()));
            }
            cmd.setTransportConfigCallback(t -> {
                if (t instanceof SshTransport sshTransport) {
                    sshTransport.setSshSessionFactory(sshFactory());
                }
            });
        }

        private synchronized SshdSessionFactory sshFactory() {
            if (ssh != null) {
                return ssh;
            }
            List<KeyPair> keys = "ssh-key".equals(creds.kind()) ? deployKey(creds.secret()) : List.of();
            if (!keys.isEmpty()) {
                deployKeyFingerprint = KnownHosts.fingerprint(keys.get(0).getPublic());
            }
            Path home = scratch.resolve("ssh-home");
            try {
                Files.createDirectories(home.resolve(".ssh"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            ServerKeyDatabase db = hostKeys != null ? hostKeys : new RefuseAll();
            ssh = new SshdSessionFactoryBuilder().setHomeDirectory(home.toFile())
                    .setSshDirectory(home.resolve(".ssh").toFile()).setDefaultKeysProvider(d -> keys)
                    .setServerKeyDatabase((h, s) -> db).build(null);
            return ssh;
        }

        /** A person-readable failure for a refused host key or login; the original exception otherwise. */
        GitAPIException explain(GitAPIException e, String url) {
            if (hostKeys != null && hostKeys.rejection() != null) {
                throw new BuildFailure(hostKeys.rejection());
            }
            if (authenticationFailed(e)) {
                throw new BuildFailure(authenticationMessage(url));
            }
            return e;
        }

        private String authenticationMessage(String url) {
            String host = url;
            KnownHosts.Target t = KnownHosts.target(url);
            if (t != null) {
                host = t.toString();
            } else {
                try {
                    java.net.URI u = new java.net.URI(url);
                    host = u.getPort() > 0 ? u.getHost() + ":" + u.getPort() : u.getHost();
                } catch (java.net.URISyntaxException ignored) {
                    // keep the URL as it is
                }
            }
            return switch (creds.kind()) {
                case "token" -> "authentication failed: " + host + " refused the token for user '"
                        + (creds.user() == null ? "x-access-token" : creds.user()) + "'; check that the token is "
                        + "valid, has not expired and may read the repository, then store it again";
                case "ssh-key" -> "authentication failed: " + host + " refused the SSH deploy key"
                        + (deployKeyFingerprint == null ? "" : " (" + deployKeyFingerprint + ")")
                        + "; add its public key as a deploy key of the repository";
                default -> "authentication failed: " + host + " requires credentials; store a token (https) or an "
                        + "SSH deploy key (ssh) with the repository";
            };
        }

        @Override
        public synchronized void close() {
            if (ssh != null) {
                ssh.close();
            }
        }
    }

    /** Whether the server refused the login (HTTP 401/403, or no SSH authentication method left). */
    static boolean authenticationFailed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("not authorized") || m.contains("authentication is required") || m.contains("not permitted")
                    || m.contains("authentication failed") || m.contains("cannot log in")
                    || m.contains("no more authentication methods") || m.contains("auth fail")
                    || m.contains("401 unauthorized") || m.contains("403 forbidden")) {
                return true;
            }
        }
        return false;
    }

    private static List<KeyPair> deployKey(String privateKey) {
        Iterable<KeyPair> keys;
        try {
            keys = SecurityUtils.loadKeyPairIdentities(null, () -> "deploy key",
                    new java.io.ByteArrayInputStream(privateKey.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    FilePasswordProvider.EMPTY);
        } catch (IOException | GeneralSecurityException e) {
            throw new BuildFailure("the SSH deploy key cannot be read (is it an unencrypted private key?)");
        }
        List<KeyPair> list = new java.util.ArrayList<>();
        if (keys != null) {
            keys.forEach(list::add);
        }
        if (list.isEmpty()) {
            throw new BuildFailure("the SSH deploy key cannot be read (is it an unencrypted private key?)");
        }
        return list;
    }

    /** For an SSH URL that {@link KnownHosts#target} does not recognise: no host key is trusted. */
    private static final class RefuseAll implements ServerKeyDatabase {
        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return List.of();
        }

        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                Configuration config, CredentialsProvider provider) {
            return false;
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
