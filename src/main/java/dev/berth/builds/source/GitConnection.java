package dev.berth.builds.source;

import dev.berth.builds.run.BuildFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.Locale;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.DefaultProxyDataFactory;
import org.eclipse.jgit.transport.sshd.ProxyData;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * The transport settings of one Git operation: the token, or an SSH client that uses only the app's deploy key,
 * no file of the Berth host's user, and the host key check of the source; and the SSRF check of every connection
 * it opens ({@link HostPolicy}): each HTTP connection, redirects included ({@link GuardedHttpConnections}), and the
 * address an SSH connection really goes to, checked after resolution and before the TCP connection is opened.
 * Closing it stops the SSH client.
 */
final class GitConnection implements AutoCloseable {
    private static final DefaultProxyDataFactory DIRECT = new DefaultProxyDataFactory();
    private final GitSource.Credentials creds;
    private final HostKeyCheck hostKeys;
    private final Path scratch;
    private final HostPolicy hosts;
    private SshdSessionFactory ssh;
    private String deployKeyFingerprint;
    private volatile String refusedHost;

    GitConnection(GitSource.Credentials creds, HostKeyCheck hostKeys, HostPolicy hosts, Path scratch) {
        this.creds = creds;
        this.hostKeys = hostKeys;
        this.hosts = hosts;
        this.scratch = scratch;
    }

    void configure(TransportCommand<?, ?> cmd) {
        cmd.setTimeout(GitSource.TIMEOUT_SECONDS);
        if ("token".equals(creds.kind())) {
            cmd.setCredentialsProvider(new UsernamePasswordCredentialsProvider(
                    creds.user() == null ? "x-access-token" : creds.user(), creds.secret()));
        }
        cmd.setTransportConfigCallback(t -> {
            if (t instanceof SshTransport sshTransport) {
                sshTransport.setSshSessionFactory(sshFactory());
            } else if (t instanceof TransportHttp http) {
                http.setHttpConnectionFactory(new GuardedHttpConnections(hosts, t.getURI().getHost(), this::refuse));
            } else if (t.getURI().getHost() != null) {
                // git://: JGit opens the socket itself; checked here, right before it resolves the host again.
                String why = hosts.check(t.getURI().getHost());
                if (why != null) {
                    refuse(why);
                    throw new BuildFailure("repository URL refused: " + why);
                }
            }
        });
    }

    private void refuse(String why) {
        refusedHost = why;
    }

    /** Checks the address an SSH connection is about to open, after its host name was resolved. */
    private ProxyData checkSshAddress(InetSocketAddress remote) {
        InetAddress address = remote.getAddress();
        String why = address == null ? null : hosts.checkConnected(remote.getHostString(), address);
        if (why != null) {
            refuse(why);
            throw new BuildFailure("repository URL refused: " + why);
        }
        return DIRECT.get(remote);
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
                .setServerKeyDatabase((h, s) -> db).setProxyDataFactory(this::checkSshAddress).build(null);
        return ssh;
    }

    /** A person-readable failure for a refused host key or login; the original exception otherwise. */
    GitAPIException explain(GitAPIException e, String url) {
        if (refusedHost != null) {
            throw new BuildFailure("repository URL refused: " + refusedHost);
        }
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
}
