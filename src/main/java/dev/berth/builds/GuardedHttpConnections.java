package dev.berth.builds;

import java.io.IOException;
import java.net.Proxy;
import java.net.URL;
import java.util.function.Consumer;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory2;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

/**
 * JGit's HTTP connections for one clone, each checked by {@link HostPolicy} before it is opened. JGit follows
 * redirects itself, one new connection per hop, so a redirect to a host the policy refuses ends the clone before a
 * single byte is sent there, and nothing that host would have answered can reach the build's log or failure
 * reason. The check resolves the host right before the JDK connects, through the same JVM address cache the
 * connection then reads, so a DNS answer that changed since the URL was saved is the one checked.
 */
final class GuardedHttpConnections implements HttpConnectionFactory2 {
    private final JDKHttpConnectionFactory jdk = new JDKHttpConnectionFactory();
    private final HostPolicy policy;
    private final String firstHost;
    private final Consumer<String> refused;

    GuardedHttpConnections(HostPolicy policy, String firstHost, Consumer<String> refused) {
        this.policy = policy;
        this.firstHost = firstHost;
        this.refused = refused;
    }

    @Override
    public HttpConnection create(URL url) throws IOException {
        check(url);
        return jdk.create(url);
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
        check(url);
        return jdk.create(url, proxy);
    }

    @Override
    public GitSession newSession() {
        return jdk.newSession();
    }

    private void check(URL url) throws IOException {
        String why = policy.check(url.getHost());
        if (why == null) {
            return;
        }
        String where = url.getHost().equalsIgnoreCase(firstHost) ? why
                : "a redirect to " + url.getProtocol() + "://" + url.getAuthority() + " was not followed: " + why;
        refused.accept(where);
        throw new IOException("connection refused by Berth's SSRF rules: " + where);
    }
}
