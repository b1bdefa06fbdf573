package dev.berth.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The test kubelet's log endpoint: the API server serves {@code pods/log} by asking the pod's node at its kubelet
 * port ({@code GET /containerLogs/<ns>/<pod>/<container>}, over HTTPS), and this answers as a kubelet does, with
 * {@code follow}, {@code tailLines}, {@code sinceSeconds}, {@code sinceTime}, {@code timestamps} and {@code previous}.
 * Tests write the lines ({@link #write}); each follow stream is counted while open ({@link #openStreams(String)}), so a test
 * can prove that a client going away closed the streams all the way to the kubelet (which, like a real one, notices
 * a closed stream when it next writes to it).
 */
public final class KubeletLogs implements AutoCloseable {
    private record Entry(Instant at, String text) {
    }

    private final HttpsServer server;
    private final Map<String, List<Entry>> logs = new HashMap<>();
    private final Map<String, AtomicInteger> open = new java.util.concurrent.ConcurrentHashMap<>();

    KubeletLogs(Path dir) {
        try {
            Files.createDirectories(dir);
            Path store = dir.resolve("kubelet.p12");
            if (!Files.exists(store)) {
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                        "-genkeypair", "-alias", "kubelet", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                        "-dname", "CN=" + TestKubelet.NODE, "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                        "-keystore", store.toString(), "-storepass", "kubelet", "-keypass", "kubelet")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("keytool failed: " + out);
                }
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, "kubelet".toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "kubelet".toCharArray());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), null, null);
            server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            server.setExecutor(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "test-kubelet-logs");
                t.setDaemon(true);
                return t;
            }));
            server.createContext("/containerLogs/", this::serve);
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test kubelet's log endpoint", e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Appends a line to a container's log (of its current run, or of the previous one). */
    public void write(String namespace, String pod, String container, boolean previous, String text) {
        synchronized (logs) {
            logs.computeIfAbsent(key(namespace, pod, container, previous), k -> new ArrayList<>())
                    .add(new Entry(Instant.now(), text));
            logs.notifyAll();
        }
    }

    /** Follow streams of pods in {@code namespace} open at this kubelet now. */
    public int openStreams(String namespace) {
        AtomicInteger n = open.get(namespace);
        return n == null ? 0 : n.get();
    }

    private static String key(String ns, String pod, String container, boolean previous) {
        return ns + "/" + pod + "/" + container + (previous ? "/previous" : "");
    }

    private void serve(HttpExchange x) throws IOException {
        String[] parts = x.getRequestURI().getPath().split("/");
        if (parts.length != 5) {
            x.sendResponseHeaders(404, -1);
            return;
        }
        Map<String, String> q = query(x.getRequestURI().getRawQuery());
        boolean follow = "true".equals(q.get("follow"));
        boolean stamps = "true".equals(q.get("timestamps"));
        String key = key(parts[2], parts[3], parts[4], "true".equals(q.get("previous")));
        Instant since = q.containsKey("sinceSeconds")
                ? Instant.now().minusSeconds(Long.parseLong(q.get("sinceSeconds")))
                : q.containsKey("sinceTime") ? Instant.parse(q.get("sinceTime")) : Instant.EPOCH;
        int tail = q.containsKey("tailLines") ? Integer.parseInt(q.get("tailLines")) : Integer.MAX_VALUE;
        x.getResponseHeaders().add("Content-Type", "text/plain");
        x.sendResponseHeaders(200, 0);
        AtomicInteger streams = open.computeIfAbsent(parts[2], k -> new AtomicInteger());
        if (follow) {
            streams.incrementAndGet();
        }
        try (OutputStream out = x.getResponseBody()) {
            int sent;
            synchronized (logs) {
                List<Entry> all = logs.getOrDefault(key, List.of());
                List<Entry> first = all.stream().filter(e -> !e.at().isBefore(since)).toList();
                first = first.subList(Math.max(0, first.size() - tail), first.size());
                sent = all.size();
                for (Entry e : first) {
                    out.write(format(e, stamps));
                }
            }
            out.flush();
            while (follow) {
                List<Entry> next;
                synchronized (logs) {
                    List<Entry> all = logs.getOrDefault(key, List.of());
                    while (all.size() == sent) {
                        logs.wait(200);
                        all = logs.getOrDefault(key, List.of());
                        if (all.size() == sent) {
                            break;
                        }
                    }
                    next = new ArrayList<>(all.subList(sent, all.size()));
                    sent = all.size();
                }
                // Like a kubelet, this learns that the API server closed the stream at its next write.
                for (Entry e : next) {
                    out.write(format(e, stamps));
                }
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the API server closed the stream: its client went away
        } finally {
            if (follow) {
                streams.decrementAndGet();
            }
        }
    }

    private static byte[] format(Entry e, boolean stamps) {
        return ((stamps ? e.at().toString() + " " : "") + e.text() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
