package dev.berth.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * A Git host over SSH on loopback (Apache MINA SSHD), as a private Git host with deploy keys serves it: public key
 * authentication with exactly one accepted key, and the one command {@code git-upload-pack '<repo>'} run for a
 * repository of the test run; every other command is refused. It can be restarted on the same port with another
 * host key, as a server whose key was replaced (or an impostor) would present.
 */
public final class GitSshServer implements AutoCloseable {
    private final Path repos;
    private final PublicKey deployKey;
    private final AtomicInteger uploads = new AtomicInteger();
    private KeyPair hostKey;
    private SshServer server;
    private int port;

    private GitSshServer(Path repos, KeyPair hostKey, PublicKey deployKey) {
        this.repos = repos;
        this.hostKey = hostKey;
        this.deployKey = deployKey;
    }

    /** Serves {@code repos} to the holder of {@code deployKey}'s private key, with {@code hostKey} as host key. */
    public static GitSshServer start(Path repos, KeyPair hostKey, PublicKey deployKey) {
        GitSshServer s = new GitSshServer(repos, hostKey, deployKey);
        s.listen(0);
        return s;
    }

    /** Stops and starts again on the same port, presenting {@code newHostKey}. */
    public synchronized void restart(KeyPair newHostKey) {
        stop();
        hostKey = newHostKey;
        listen(port);
    }

    private synchronized void listen(int onPort) {
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(onPort);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(deployKey, key));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory((channel, command) -> new UploadPack(command));
        try {
            server.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the Git SSH server", e);
        }
        port = server.getPort();
    }

    public String url(String repo) {
        return "ssh://git@127.0.0.1:" + port + "/" + repo;
    }

    public int port() {
        return port;
    }

    /** Successful git-upload-pack runs so far. */
    public int uploads() {
        return uploads.get();
    }

    /** This server's known_hosts line, as {@code ssh-keyscan -p <port> 127.0.0.1} prints it. */
    public String knownHostsLine() {
        return knownHostsLine(hostKey.getPublic());
    }

    public String knownHostsLine(PublicKey key) {
        return "[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(key);
    }

    public String hostKeyFingerprint() {
        return KeyUtils.getFingerPrint(hostKey.getPublic());
    }

    /** A new ECDSA P-256 key pair (host keys and deploy keys alike). */
    public static KeyPair newKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The private key in OpenSSH format, unencrypted, as a tenant pastes a deploy key. */
    public static String privateKeyText(KeyPair key) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "deploy@test", null, out);
            return out.toString(StandardCharsets.US_ASCII);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private synchronized void stop() {
        try {
            if (server != null) {
                server.stop(true);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** {@code git-upload-pack '<repo>'} for a repository of the test run, as a child process; nothing else. */
    private final class UploadPack implements Command {
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private Process process;

        UploadPack(String command) {
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            Path repo = repository();
            if (repo == null) {
                err.write(("refused: only git-upload-pack of a known repository is served\n")
                        .getBytes(StandardCharsets.UTF_8));
                err.flush();
                exit.onExit(128, "refused");
                return;
            }
            ProcessBuilder pb = new ProcessBuilder("git-upload-pack", repo.toString())
                    .directory(repos.toFile());
            String protocol = env.getEnv().get("GIT_PROTOCOL");
            if (protocol != null) {
                pb.environment().put("GIT_PROTOCOL", protocol);
            }
            process = pb.start();
            pump(in, process.getOutputStream(), true, "stdin");
            Thread stderr = pump(process.getErrorStream(), err, false, "stderr");
            Thread stdout = pump(process.getInputStream(), out, false, "stdout");
            Thread waiter = new Thread(() -> {
                try {
                    int code = process.waitFor();
                    stdout.join(5000);
                    stderr.join(5000);
                    if (code == 0) {
                        uploads.incrementAndGet();
                    }
                    exit.onExit(code);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "git-ssh-test-wait");
            waiter.setDaemon(true);
            waiter.start();
        }

        /** The repository directory the command names, or null for any other command or path. */
        private Path repository() {
            List<String> words = List.of(command.trim().split("\\s+", 2));
            if (words.size() != 2 || !words.get(0).equals("git-upload-pack")) {
                return null;
            }
            String path = words.get(1).trim();
            if (path.length() >= 2 && path.startsWith("'") && path.endsWith("'")) {
                path = path.substring(1, path.length() - 1);
            }
            path = path.replaceFirst("^/+", "");
            if (path.isEmpty() || path.contains("..") || path.contains("'")) {
                return null;
            }
            Path dir = repos.resolve(path).normalize();
            return dir.startsWith(repos) && Files.isDirectory(dir) ? dir : null;
        }

        private Thread pump(InputStream from, OutputStream to, boolean closeAfter, String name) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    int n;
                    while ((n = from.read(buf)) != -1) {
                        to.write(buf, 0, n);
                        to.flush();
                    }
                } catch (IOException e) {
                    // the other side went away
                } finally {
                    if (closeAfter) {
                        try {
                            to.close();
                        } catch (IOException ignored) {
                            // already closed
                        }
                    }
                }
            }, "git-ssh-test-" + name);
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public void destroy(ChannelSession channel) {
            if (process != null) {
                process.destroyForcibly();
            }
        }
    }
}
