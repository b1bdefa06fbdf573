package dev.berth.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a loopback port in front of a test API server, so a test can take a region down (connections
 * are refused or, when {@link #hang()} is set, accepted and never answered, as a slow cluster would) and bring it
 * back on the same address.
 */
public final class FlakyProxy implements AutoCloseable {
    private final int targetPort;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private volatile boolean hanging;

    public FlakyProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        ServerSocket s = bind(0);
        this.port = s.getLocalPort();
        start(s);
    }

    public int port() {
        return port;
    }

    /** Refuses connections and cuts the open ones (a cluster that is down). */
    public synchronized void down() {
        hanging = false;
        closeAll();
    }

    /** Accepts connections but never answers (a cluster that is slow beyond every timeout). */
    public synchronized void hang() throws IOException {
        closeAll();
        hanging = true;
        start(bind(port));
    }

    /** Serves again on the same port. */
    public synchronized void up() throws IOException {
        closeAll();
        hanging = false;
        start(bind(port));
    }

    /**
     * Binds the port; when it is the port just closed, waits a little for the close to complete (a socket closed
     * while its accept thread is still blocked is released only once that thread leaves accept).
     */
    private static ServerSocket bind(int p) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            try {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
                return s;
            } catch (java.net.BindException e) {
                s.close();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private void start(ServerSocket s) {
        server = s;
        Thread t = new Thread(() -> accept(s), "flaky-proxy-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                open.add(client);
                if (hanging) {
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(upstream);
                pipe(client, upstream);
                pipe(upstream, client);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // connection cut
            } finally {
                quietClose(from);
                quietClose(to);
            }
        }, "flaky-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    private void closeAll() {
        quietClose(server);
        open.forEach(FlakyProxy::quietClose);
        open.clear();
    }

    private static void quietClose(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closeAll();
    }
}
