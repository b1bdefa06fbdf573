package dev.berth.builds.source;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS sockets for JGit's https connections whose TCP connection is checked by {@link HostPolicy} on the address it
 * is about to open, after the host name was resolved: the address actually connected, not an earlier DNS answer.
 * The JDK asks this factory for an unconnected socket, connects it, then layers TLS over it with the host name (so
 * SNI and host name verification are the default factory's, unchanged).
 */
final class GuardedSslSockets extends SSLSocketFactory {
    private final SSLSocketFactory tls;
    private final HostPolicy policy;
    private final Consumer<String> refused;

    GuardedSslSockets(SSLSocketFactory tls, HostPolicy policy, Consumer<String> refused) {
        this.tls = tls;
        this.policy = policy;
        this.refused = refused;
    }

    @Override
    public Socket createSocket() {
        return new CheckedSocket();
    }

    @Override
    public Socket createSocket(Socket plain, String host, int port, boolean autoClose) throws IOException {
        return tls.createSocket(plain, host, port, autoClose);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), host);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), host);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), host.getHostAddress());
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), address.getHostAddress());
    }

    private Socket connected(InetSocketAddress to, String host) throws IOException {
        Socket s = new CheckedSocket();
        s.connect(to);
        return tls.createSocket(s, host, to.getPort(), true);
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return tls.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return tls.getSupportedCipherSuites();
    }

    /** A plain socket that refuses to connect to an address the policy refuses for the host it was resolved from. */
    private final class CheckedSocket extends Socket {
        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            if (endpoint instanceof InetSocketAddress to && to.getAddress() != null) {
                String why = policy.checkConnected(to.getHostString(), to.getAddress());
                if (why != null) {
                    refused.accept(why);
                    close();
                    throw new ConnectException("connection refused by Berth's SSRF rules: " + why);
                }
            }
            super.connect(endpoint, timeout);
        }
    }
}
