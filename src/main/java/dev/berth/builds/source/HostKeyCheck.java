package dev.berth.builds.source;

import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;

/**
 * Which SSH host keys one fetch of an app's repository accepts. With {@code sshKnownHosts} on the source, only the
 * keys listed there for the URL's host. Without them, trust on first use: the key pinned on the source by an
 * earlier build, or, when none is pinned yet, whatever the server presents, which the caller then pins. A refused
 * key leaves a reason a person can act on, naming the expected and the presented fingerprints.
 */
public final class HostKeyCheck implements ServerKeyDatabase {
    private final KnownHosts.Target target;
    private final KnownHosts known;
    private final PublicKey pinned;
    private volatile String rejection;
    private volatile PublicKey firstSeen;

    private HostKeyCheck(KnownHosts.Target target, KnownHosts known, PublicKey pinned) {
        this.target = target;
        this.known = known;
        this.pinned = pinned;
    }

    /**
     * The check for an SSH URL, null for other URLs. {@code knownHosts} are the source's lines (or null);
     * {@code pinnedKey} is the key pinned on first use, as {@code type base64} (or null).
     */
    public static HostKeyCheck forUrl(String url, String knownHosts, String pinnedKey) {
        KnownHosts.Target t = KnownHosts.target(url);
        if (t == null) {
            return null;
        }
        return new HostKeyCheck(t, knownHosts == null ? null : KnownHosts.parse(knownHosts),
                knownHosts != null || pinnedKey == null ? null : KnownHosts.readKey(pinnedKey));
    }

    @Override
    public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
        // Lets the client negotiate the host key algorithm of the keys it expects.
        if (known != null) {
            return known.forHost(target);
        }
        return pinned == null ? List.of() : List.of(pinned);
    }

    @Override
    public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
            Configuration config, CredentialsProvider provider) {
        String presented = KnownHosts.fingerprint(serverKey);
        if (known != null) {
            List<PublicKey> listed = known.forHost(target);
            if (listed.stream().anyMatch(k -> KeyUtils.compareKeys(k, serverKey))) {
                return true;
            }
            rejection = "the SSH host key of " + target + " (" + presented + ") is not in sshKnownHosts, which lists "
                    + (listed.isEmpty() ? "no key" : listed.stream().map(KnownHosts::fingerprint)
                            .collect(Collectors.joining(", ")))
                    + " for " + KnownHosts.hostPattern(target) + ". If the server's key was changed on purpose, "
                    + "update sshKnownHosts; otherwise the connection may be intercepted.";
            return false;
        }
        if (pinned != null) {
            if (KeyUtils.compareKeys(pinned, serverKey)) {
                return true;
            }
            rejection = "the SSH host key of " + target + " does not match the key pinned on first use: expected "
                    + KnownHosts.fingerprint(pinned) + ", the server presented " + presented + ". If the server's "
                    + "key was changed on purpose, set sshKnownHosts to its new key or reset the pin "
                    + "(resetHostKey: true, or \"Forget the pinned host key\" on the builds page); otherwise the "
                    + "connection may be intercepted.";
            return false;
        }
        firstSeen = serverKey;
        return true;
    }

    /** Why the server's key was refused, or null. */
    String rejection() {
        return rejection;
    }

    /** The key accepted on first use (nothing was pinned and no known_hosts given), to be pinned; else null. */
    public PublicKey firstSeen() {
        return firstSeen;
    }

    public KnownHosts.Target target() {
        return target;
    }
}
