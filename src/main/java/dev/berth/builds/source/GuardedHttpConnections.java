package dev.berth.builds.source;

import java.io.IOException;
import java.net.Proxy;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.function.Consumer;
import javax.net.ssl.HttpsURLConnection;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory2;
import org.eclipse.jgit.transport.http.JDKHttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

/**
 * JGit's HTTP connections for one clone, each checked by {@link HostPolicy} before it is opened. JGit follows
 * redirects itself, one new connection per hop, so a redirect to a host the policy refuses ends the clone before a
 * single byte is sent there, and nothing that host would have answered can reach the build's log or failure
 * reason. The check resolves the host right before the JDK connects, so a DNS answer that changed since the URL was
 * saved is the one checked; over https the TCP connection itself is checked on the address it opens
 * ({@link GuardedSslSockets}). Plain http connections use the JDK's own sockets, which offer no such hook: they
 * read the address from the JVM's DNS cache that the check filled a moment before.
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
        return create(url, null);
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
        check(url);
        if (!"https".equalsIgnoreCase(url.getProtocol())) {
            return proxy == null ? jdk.create(url) : jdk.create(url, proxy);
        }
        // JGit wraps the JDK connection it opens from the URL; a URL with this handler opens one whose TLS sockets
        // are checked on the address they connect to.
        URL checked = new URL(null, url.toExternalForm(), new CheckedHttps());
        return new JDKHttpConnection(checked, proxy == null ? Proxy.NO_PROXY : proxy) {
        };
    }

    @Override
    public GitSession newSession() {
        return jdk.newSession();
    }

    /** Opens https connections as the JDK does, with {@link GuardedSslSockets} as their socket factory. */
    private final class CheckedHttps extends URLStreamHandler {
        @Override
        protected URLConnection openConnection(URL u) throws IOException {
            return openConnection(u, Proxy.NO_PROXY);
        }

        @Override
        protected URLConnection openConnection(URL u, Proxy proxy) throws IOException {
            HttpsURLConnection c = (HttpsURLConnection) new URL(u.toExternalForm()).openConnection(proxy);
            c.setSSLSocketFactory(new GuardedSslSockets(c.getSSLSocketFactory(), policy, refused));
            return c;
        }
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
