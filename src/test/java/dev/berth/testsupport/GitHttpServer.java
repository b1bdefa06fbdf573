package dev.berth.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Git smart HTTP on loopback with HTTP Basic authentication, as a private Git host serves it: every request must
 * carry the one user name and token, then {@code git http-backend} (CGI) answers it from the test repositories.
 * Counts refused requests so tests can tell that the credentials were really checked.
 */
public final class GitHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "git-http-test");
        t.setDaemon(true);
        return t;
    });
    private final Path repos;
    private final String expectedAuth;
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();

    private GitHttpServer(Path repos, String user, String token) throws IOException {
        this.repos = repos;
        this.expectedAuth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + token)
                .getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    /** Serves {@code repos} to requests authenticated as {@code user} with {@code token}. */
    public static GitHttpServer start(Path repos, String user, String token) {
        try {
            return new GitHttpServer(repos, user, token);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the Git HTTP server", e);
        }
    }

    public String url(String repo) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + repo;
    }

    public int refused() {
        return refused.get();
    }

    public int served() {
        return served.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8),
                    expectedAuth.getBytes(StandardCharsets.UTF_8))) {
                refused.incrementAndGet();
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                ex.sendResponseHeaders(401, -1);
                return;
            }
            served.incrementAndGet();
            cgi(ex);
        }
    }

    /** Runs git http-backend for the request: CGI variables in, request body on stdin, CGI response out. */
    private void cgi(HttpExchange ex) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("git", "http-backend").redirectError(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        env.put("GIT_PROJECT_ROOT", repos.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("REQUEST_METHOD", ex.getRequestMethod());
        env.put("PATH_INFO", ex.getRequestURI().getRawPath());
        env.put("QUERY_STRING", ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery());
        env.put("REMOTE_USER", "test");
        env.put("REMOTE_ADDR", "127.0.0.1");
        header(ex, "Content-Type", env, "CONTENT_TYPE");
        header(ex, "Content-Length", env, "CONTENT_LENGTH");
        header(ex, "Content-Encoding", env, "HTTP_CONTENT_ENCODING");
        header(ex, "Git-Protocol", env, "GIT_PROTOCOL");
        Process p = pb.start();
        Thread in = new Thread(() -> {
            try (OutputStream stdin = p.getOutputStream(); InputStream body = ex.getRequestBody()) {
                body.transferTo(stdin);
            } catch (IOException e) {
                // the backend stopped reading; its answer says why
            }
        }, "git-http-test-stdin");
        in.setDaemon(true);
        in.start();
        InputStream out = p.getInputStream();
        int status = 200;
        for (String line = readLine(out); line != null && !line.isEmpty(); line = readLine(out)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ")[0]);
            } else {
                ex.getResponseHeaders().add(name, value);
            }
        }
        ex.sendResponseHeaders(status, 0);
        try (OutputStream body = ex.getResponseBody()) {
            out.transferTo(body);
        }
        try {
            p.waitFor();
            in.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void header(HttpExchange ex, String name, Map<String, String> env, String variable) {
        String v = ex.getRequestHeaders().getFirst(name);
        if (v != null) {
            env.put(variable, v);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
