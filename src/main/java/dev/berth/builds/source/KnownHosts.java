package dev.berth.builds.source;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.eclipse.jgit.transport.URIish;

/**
 * SSH host keys of an app's Git server: the OpenSSH {@code known_hosts} lines a tenant pasted (hashed host names,
 * patterns and {@code [host]:port} included), their SHA256 fingerprints, and where an SSH URL connects to.
 */
public final class KnownHosts {
    static final int MAX_LENGTH = 20_000;

    /** One known_hosts line with its resolved key. */
    record Entry(KnownHostEntry line, PublicKey key) {
    }

    /** Host and port an SSH URL connects to; null when the URL is not an SSH URL. */
    record Target(String host, int port) {
        @Override
        public String toString() {
            return port == 22 ? host : host + ":" + port;
        }
    }

    private final List<Entry> entries;

    private KnownHosts(List<Entry> entries) {
        this.entries = entries;
    }

    /** Parses known_hosts text; throws IllegalArgumentException naming the first bad line. */
    static KnownHosts parse(String text) {
        List<Entry> entries = new ArrayList<>();
        String[] lines = text.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "line " + (i + 1) + ": ";
            KnownHostEntry e;
            try {
                e = KnownHostEntry.parseKnownHostEntry(line);
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException(where + "is not a known_hosts line (host key-type base64-key)");
            }
            if (e == null || e.getKeyEntry() == null) {
                throw new IllegalArgumentException(where + "is not a known_hosts line (host key-type base64-key)");
            }
            if (e.getMarker() != null) {
                throw new IllegalArgumentException(where + "@" + e.getMarker() + " lines are not supported; list the "
                        + "server's own keys");
            }
            try {
                PublicKey key = e.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
                if (key == null) {
                    throw new IllegalArgumentException(where + "has an unsupported key type '"
                            + e.getKeyEntry().getKeyType() + "'");
                }
                entries.add(new Entry(e, key));
            } catch (IOException | GeneralSecurityException | RuntimeException ex) {
                if (ex instanceof IllegalArgumentException iae && iae.getMessage().startsWith(where)) {
                    throw iae;
                }
                throw new IllegalArgumentException(where + "the key cannot be read (" + e.getKeyEntry().getKeyType()
                        + ")");
            }
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("has no known_hosts line");
        }
        return new KnownHosts(entries);
    }

    /** Why the text is not usable for this URL, or null. */
    static String check(String text, String repoUrl) {
        if (text.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters long";
        }
        KnownHosts hosts;
        try {
            hosts = parse(text);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        Target t = target(repoUrl);
        if (t == null) {
            return "applies only to ssh:// or git@host:path repository URLs";
        }
        return hosts.forHost(t).isEmpty() ? "has no line for " + hostPattern(t) + ", the host of repoUrl" : null;
    }

    /** The keys listed for the host (and port) an SSH connection goes to. */
    List<PublicKey> forHost(Target t) {
        return entries.stream().filter(e -> e.line().isHostMatch(t.host(), t.port())).map(Entry::key).toList();
    }

    static Target target(String url) {
        try {
            URIish u = new URIish(url);
            String scheme = u.getScheme();
            boolean ssh = scheme == null ? u.getHost() != null : scheme.equals("ssh") || scheme.equals("git+ssh");
            if (!ssh || u.getHost() == null) {
                return null;
            }
            return new Target(u.getHost(), u.getPort() > 0 ? u.getPort() : 22);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /** How OpenSSH names the host in known_hosts: {@code host}, or {@code [host]:port} off port 22. */
    static String hostPattern(Target t) {
        return t.port() == 22 ? t.host() : "[" + t.host() + "]:" + t.port();
    }

    public static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(key);
    }

    /** The key as the second and third field of a known_hosts line ({@code ecdsa-sha2-nistp256 AAAA...}). */
    public static String keyText(PublicKey key) {
        return PublicKeyEntry.toString(key);
    }

    static PublicKey readKey(String keyText) {
        try {
            return PublicKeyEntry.parsePublicKeyEntry(keyText).resolvePublicKey(null, null,
                    PublicKeyEntryResolver.FAILING);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the pinned host key cannot be read", e);
        }
    }
}
