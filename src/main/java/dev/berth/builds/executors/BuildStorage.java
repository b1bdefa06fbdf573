package dev.berth.builds.executors;

import dev.berth.builds.run.BuildsConfig;
import dev.berth.builds.run.Workspace;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Keeps build storage on this host bounded: the workspaces of running builds plus the per-app caches kept between
 * builds (buildah storage, Jib's layer caches, the Maven/Gradle home). Every {@code berth.builds.storage.sweep-interval}
 * it measures them and, while the total is above {@code berth.builds.storage.max-size}, removes whole app caches,
 * least recently used first; a cache in use by a running build is never removed (its next build simply starts
 * cold). What it measured is exposed as gauges ({@code berth_builds_storage_bytes{kind=...}}) and on the admin page.
 */
@ApplicationScoped
public class BuildStorage {
    private static final Logger LOG = Logger.getLogger(BuildStorage.class);
    /** Touched whenever a build starts using an app's cache: the sweeper's "least recently used" clock. */
    static final String LAST_USED = "last-used";
    static final List<String> KINDS = List.of("workspaces", "buildah", "jib", "tools");

    @Inject
    BuildsConfig config;
    @Inject
    MeterRegistry registry;

    private final Map<Long, AtomicInteger> users = new ConcurrentHashMap<>();
    private volatile Usage last = new Usage(Map.of(), 0, 0, null);

    /** Bytes per kind, the limit, app caches removed by the last sweep, and when it was measured. */
    public record Usage(Map<String, Long> bytes, long maxBytes, int removedCaches, Instant measuredAt) {
        public long totalBytes() {
            return bytes.values().stream().mapToLong(Long::longValue).sum();
        }

        public long of(String kind) {
            return bytes.getOrDefault(kind, 0L);
        }

        /** For the admin page: each kind with its size as a Kubernetes quantity. */
        public List<Row> rows() {
            return KINDS.stream().map(k -> new Row(k, of(k), human(of(k)))).toList();
        }

        public String total() {
            return human(totalBytes());
        }

        public String max() {
            return human(maxBytes);
        }
    }

    public record Row(String kind, long bytes, String size) {
    }

    /** 0 B, 512 KiB, 1.3 GiB: binary units, one decimal from MiB on. */
    static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u < 2 ? Math.round(v) + " " + units[u] : String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** A build's hold on its app's cache; closing it lets the sweeper remove the cache again. */
    public interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    @PostConstruct
    void gauges() {
        for (String kind : KINDS) {
            Gauge.builder("berth.builds.storage.bytes", this, s -> s.last.of(kind)).tag("kind", kind)
                    .description("Build storage on this host, by kind").baseUnit("bytes").register(registry);
        }
        Gauge.builder("berth.builds.storage.max.bytes", this, s -> s.config.storage().maxSize())
                .description("berth.builds.storage.max-size").baseUnit("bytes").register(registry);
    }

    Path appCache(long appId) {
        return Path.of(config.cacheDir(), "app-" + appId);
    }

    /** Marks the app's cache as in use (and just used) until the lease is closed. */
    public Lease use(long appId) {
        AtomicInteger n = users.computeIfAbsent(appId, id -> new AtomicInteger());
        n.incrementAndGet();
        try {
            Path dir = Files.createDirectories(appCache(appId));
            Path marker = dir.resolve(LAST_USED);
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
            Files.setLastModifiedTime(marker, FileTime.from(Instant.now()));
        } catch (IOException e) {
            LOG.debugf("cannot mark the cache of app %d as used: %s", appId, e.getMessage());
        }
        return n::decrementAndGet;
    }

    /** Builds of the app running on this instance now. */
    int users(long appId) {
        AtomicInteger n = users.get(appId);
        return n == null ? 0 : n.get();
    }

    public Usage usage() {
        return last;
    }

    @Scheduled(every = "${berth.builds.storage.sweep-interval:5m}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweepPeriodically() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.warnf(e, "sweeping build storage failed: %s", e.getMessage());
        }
    }

    /** Measures, removes least recently used app caches while over the limit, and returns what is left. */
    public Usage sweep() {
        return sweep(config.storage().maxSize());
    }

    synchronized Usage sweep(long max) {
        Map<String, Long> bytes = measure();
        long total = bytes.values().stream().mapToLong(Long::longValue).sum();
        int removed = 0;
        if (total > max) {
            for (Path app : appCachesByLastUse()) {
                if (total <= max) {
                    break;
                }
                long appId = appId(app);
                if (appId < 0 || users(appId) > 0) {
                    continue;
                }
                long size = size(app);
                try {
                    Workspace.deleteTree(app);
                    total -= size;
                    removed++;
                    LOG.infof("removed the build cache of app %d (%d bytes, least recently used)", appId, size);
                } catch (RuntimeException e) {
                    LOG.warnf("cannot remove the build cache %s: %s", app, e.getMessage());
                }
            }
            bytes = measure();
        }
        last = new Usage(bytes, max, removed, Instant.now());
        return last;
    }

    private Map<String, Long> measure() {
        Map<String, Long> bytes = new java.util.LinkedHashMap<>();
        KINDS.forEach(k -> bytes.put(k, 0L));
        bytes.put("workspaces", size(Path.of(config.workspaceDir())));
        for (Path app : list(Path.of(config.cacheDir()))) {
            bytes.merge("buildah", size(app.resolve("buildah")), Long::sum);
            bytes.merge("jib", size(app.resolve("jib")), Long::sum);
            bytes.merge("tools", size(app.resolve("home")), Long::sum);
        }
        return bytes;
    }

    private List<Path> appCachesByLastUse() {
        List<Path> apps = new ArrayList<>(list(Path.of(config.cacheDir())).stream()
                .filter(p -> appId(p) >= 0).toList());
        apps.sort(Comparator.comparing(BuildStorage::lastUsed));
        return apps;
    }

    private static FileTime lastUsed(Path app) {
        try {
            Path marker = app.resolve(LAST_USED);
            return Files.getLastModifiedTime(Files.exists(marker) ? marker : app);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    static long appId(Path appDir) {
        String name = appDir.getFileName().toString();
        try {
            return name.startsWith("app-") ? Long.parseLong(name.substring(4)) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes of the regular files under a directory (not following links); files removed meanwhile count 0. */
    static long size(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.debugf("cannot measure %s: %s", dir, e.getMessage());
        }
        return total[0];
    }
}
