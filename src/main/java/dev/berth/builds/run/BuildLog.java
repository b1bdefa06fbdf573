package dev.berth.builds.run;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Build logs, kept in PostgreSQL so that every Berth instance can stream any build's log live and it stays after
 * the build. Lines are written in small batches outside the build's transactions; every known secret value is
 * replaced by {@code ****} before a line is stored, so tokens, keys and registry passwords never reach a log.
 * Each stored batch and the closing of a log are announced to live streams ({@link BuildLogFeed}).
 */
@ApplicationScoped
public class BuildLog {
    static final int MAX_LINE = 4000;

    private final AgroalDataSource db;
    private final BuildLogFeed feed;

    /** Open writers, flushed every 250 ms so a line reaches readers even when no next line follows it soon. */
    private final java.util.Set<Writer> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ScheduledExecutorService flusher = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "build-log-flush");
                t.setDaemon(true);
                return t;
            });

    @Inject
    public BuildLog(AgroalDataSource db, BuildLogFeed feed) {
        this.db = db;
        this.feed = feed;
    }

    /** Starts the flushing of open logs; the container calls it, and so does a build worker that runs without one. */
    @jakarta.annotation.PostConstruct
    public void startFlushing() {
        flusher.scheduleWithFixedDelay(() -> open.forEach(w -> {
            try {
                w.flushIfDue();
            } catch (RuntimeException e) {
                // the next line or the next round writes it
            }
        }), 250, 250, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @jakarta.annotation.PreDestroy
    void stopFlushing() {
        flusher.shutdownNow();
    }

    public record Line(int seq, String text) {
    }

    /** A writer for one build; lines become visible to readers within one flush (at most ~250 ms later). */
    public Writer open(long buildId, Collection<String> secrets) {
        Writer w = new Writer(buildId, secrets.stream().filter(s -> s != null && s.length() >= 4).toList(),
                lastSeq(buildId));
        open.add(w);
        return w;
    }

    public List<Line> read(long buildId, int afterSeq, int limit) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select seq, line from build_log where build_id = ? and seq > ? order by seq limit ?")) {
            ps.setLong(1, buildId);
            ps.setInt(2, afterSeq);
            ps.setInt(3, limit);
            List<Line> lines = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lines.add(new Line(rs.getInt(1), rs.getString(2)));
                }
            }
            return lines;
        } catch (SQLException e) {
            throw new jakarta.persistence.PersistenceException("cannot read the build log", e);
        }
    }

    /**
     * Closes the build's log after its worker's last line was stored (its writer closed): live streams of a finished
     * build end only then, so their end event never overtakes lines still on their way.
     */
    public void close(long buildId) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("update build set log_open = false where id = ?")) {
            ps.setLong(1, buildId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot close the build log", e);
        }
        feed.announce(buildId, -1);
    }

    private int lastSeq(long buildId) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("select coalesce(max(seq), 0) from build_log where build_id = ?")) {
            ps.setLong(1, buildId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new jakarta.persistence.PersistenceException("cannot read the build log", e);
        }
    }

    public static String redact(String line, List<String> secrets) {
        String out = line;
        for (String s : secrets) {
            if (out.contains(s)) {
                out = out.replace(s, "****");
            }
            // A multi-line secret (an SSH key) is redacted line by line too.
            if (s.indexOf('\n') >= 0) {
                for (String part : s.split("\n")) {
                    if (part.strip().length() >= 16 && out.contains(part.strip())) {
                        out = out.replace(part.strip(), "****");
                    }
                }
            }
        }
        out = out.replace("\u0000", "");
        return out.length() > MAX_LINE ? out.substring(0, MAX_LINE) + " [line cut]" : out;
    }

    /** Appends lines of one build. Thread-safe: a process's output and the runner's own messages mix in order. */
    public final class Writer implements AutoCloseable {
        private final long buildId;
        private final List<String> secrets;
        /** Lines not written yet, each with the time it was logged (not the time of the batch that writes it). */
        private final List<Map.Entry<Instant, String>> pending = new ArrayList<>();
        private int seq;
        private long lastFlush = System.nanoTime();

        private Writer(long buildId, List<String> secrets, int lastSeq) {
            this.buildId = buildId;
            this.secrets = secrets;
            this.seq = lastSeq;
        }

        public synchronized void line(String text) {
            Instant now = Instant.now();
            for (String l : text.split("\r?\n", -1)) {
                pending.add(Map.entry(now, redact(l, secrets)));
            }
            if (pending.size() >= 200 || System.nanoTime() - lastFlush > 250_000_000L) {
                flush();
            }
        }

        public synchronized void flush() {
            lastFlush = System.nanoTime();
            if (pending.isEmpty()) {
                return;
            }
            try (Connection c = db.getConnection();
                    PreparedStatement ps = c.prepareStatement(
                            "insert into build_log (build_id, seq, at, line) values (?, ?, ?, ?)")) {
                for (Map.Entry<Instant, String> l : pending) {
                    ps.setLong(1, buildId);
                    ps.setInt(2, ++seq);
                    ps.setTimestamp(3, Timestamp.from(l.getKey()));
                    ps.setString(4, l.getValue());
                    ps.addBatch();
                }
                ps.executeBatch();
                pending.clear();
            } catch (SQLException e) {
                // A log that cannot be written must not fail the build; the lines are kept for the next flush.
                seq -= pending.size();
                return;
            }
            feed.announce(buildId, seq);
        }

        synchronized void flushIfDue() {
            if (!pending.isEmpty() && System.nanoTime() - lastFlush > 200_000_000L) {
                flush();
            }
        }

        @Override
        public void close() {
            open.remove(this);
            flush();
        }
    }
}
