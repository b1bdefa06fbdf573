package dev.berth.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load generator: {@code clients} threads each send one GET, wait for the whole body, record the
 * latency and send the next, until a fixed number of requests has been sent. Loopback only, bounded counts.
 */
final class LoadDriver {
    /** What one measured run saw. Latencies are in milliseconds. */
    record Result(String name, int requests, int clients, int errors, Map<Integer, Integer> statuses, double p50,
            double p95, double p99, double max, double perSecond, long avgBytes) {
    }

    /** Ask for compressed responses, as browsers do ({@code -Dberth.bench.gzip=false} to not). */
    static final boolean GZIP = Boolean.parseBoolean(System.getProperty("berth.bench.gzip", "true"));
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
    private final String cookie;

    LoadDriver(String cookie) {
        this.cookie = cookie;
    }

    /** Logs in through the dev/test form login and returns the session cookie ("name=value"). */
    static String formLogin(URI base, String user, String password) throws IOException, InterruptedException {
        HttpClient c = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(base.resolve("/j_security_check"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("j_username=" + user + "&j_password=" + password)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.headers().allValues("set-cookie").stream().filter(s -> s.startsWith("quarkus-credential="))
                .map(s -> s.substring(0, s.indexOf(';') < 0 ? s.length() : s.indexOf(';'))).findFirst()
                .orElseThrow(() -> new IllegalStateException("form login as " + user + " gave HTTP " + r.statusCode()
                        + " without a quarkus-credential cookie"));
    }

    int status(URI uri) throws IOException, InterruptedException {
        return client.send(request(uri), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    Result run(String name, URI uri, int clients, int requests) throws InterruptedException {
        HttpRequest request = request(uri);
        return run(name, clients, requests, () -> {
            HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(r.statusCode(), r.body().length);
        });
    }

    /** One request's outcome: its status (200 counts as success) and the bytes it returned. */
    record Answer(int status, long bytes) {
    }

    /** What one closed-loop client does per request: HTTP, or a query over JDBC for an anchor. */
    interface Task {
        Answer call() throws Exception;
    }

    /** Runs {@code requests} calls of {@code task} from {@code clients} threads in a closed loop. */
    static Result run(String name, int clients, int requests, Task task) throws InterruptedException {
        long[] nanos = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            pool.execute(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        Answer a = task.call();
                        status = a.status();
                        bytes.addAndGet(a.bytes());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception e) {
                        status = -1;
                    }
                    nanos[i] = System.nanoTime() - t0;
                    statuses.merge(status, 1, Integer::sum);
                    if (status != 200) {
                        errors.incrementAndGet();
                    }
                }
            });
        }
        long t0 = System.nanoTime();
        start.countDown();
        pool.shutdown();
        if (!pool.awaitTermination(30, TimeUnit.MINUTES)) {
            pool.shutdownNow();
            throw new IllegalStateException(name + ": load did not finish within 30 minutes");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Result(name, requests, clients, errors.get(), new TreeMap<>(statuses), pct(sorted, 0.50),
                pct(sorted, 0.95), pct(sorted, 0.99), sorted[sorted.length - 1] / 1e6, requests / seconds,
                bytes.get() / Math.max(1, requests));
    }

    /** A response header of one GET, e.g. the SQL statement count test support adds when asked. */
    String header(URI uri, String requestHeader, String responseHeader) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(request(uri), (k, v) -> true).header(requestHeader, "1").build();
        return client.send(r, HttpResponse.BodyHandlers.discarding()).headers().firstValue(responseHeader)
                .orElse(null);
    }

    /** Nearest-rank percentile, in milliseconds. */
    static double pct(long[] sortedNanos, double q) {
        int rank = (int) Math.ceil(q * sortedNanos.length);
        return sortedNanos[Math.max(0, rank - 1)] / 1e6;
    }

    private HttpRequest request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if (GZIP) {
            b.header("Accept-Encoding", "gzip"); // as browsers send it; the body is counted as it came over the wire
        }
        return b.timeout(Duration.ofSeconds(60)).header("Cookie", cookie)
                .header("Accept", uri.getPath().startsWith("/api/") ? "application/json" : "text/html").GET().build();
    }
}
