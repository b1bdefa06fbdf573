package dev.berth.jobs;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates the job queues ({@link JobQueue}) and publishes their metrics, tagged {@code queue=<name>}:
 * {@code berth_jobs_queued} (due now), {@code berth_jobs_running} (claimed, in progress),
 * {@code berth_jobs_dead} (in the dead letter) and the counter {@code berth_jobs_claimed_total}, whose rate is
 * the claims per second. The gauges count rows in one query per queue, at most every 5 s however often they
 * are scraped.
 */
@ApplicationScoped
public class JobQueues {
    private static final long REFRESH_NANOS = 5_000_000_000L;
    @Inject
    EntityManager em;
    @Inject
    AgroalDataSource db;
    @Inject
    MeterRegistry registry;
    private final Map<String, JobQueue> queues = new ConcurrentHashMap<>();
    private final Map<String, Counts> counts = new ConcurrentHashMap<>();

    /** The queue of {@code table}, created with its metrics on first use. */
    public JobQueue queue(JobTable table) {
        return queues.computeIfAbsent(table.name(), n -> {
            Counter claimed = Counter.builder("berth.jobs.claimed").tag("queue", n)
                    .description("jobs claimed by this instance").register(registry);
            Gauge.builder("berth.jobs.queued", () -> counts(table).queued()).tag("queue", n)
                    .description("jobs due and waiting for a worker").register(registry);
            Gauge.builder("berth.jobs.running", () -> counts(table).running()).tag("queue", n)
                    .description("jobs claimed and in progress").register(registry);
            Gauge.builder("berth.jobs.dead", () -> counts(table).dead()).tag("queue", n)
                    .description("jobs in the dead letter").register(registry);
            return new JobQueue(table, em, claimed);
        });
    }

    /** The queue's job counts now (read from the database, not cached). */
    public Counts countNow(JobTable table) {
        String sql = "select count(*) filter (where (" + table.dueWhere() + ") and j.dead_at is null), "
                + "count(*) filter (where (" + table.runningWhere() + ") and j.dead_at is null), "
                + "count(*) filter (where j.dead_at is not null) from " + table.table() + " j";
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3), System.nanoTime());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count the " + table.name() + " queue: " + e.getMessage(), e);
        }
    }

    private Counts counts(JobTable table) {
        Counts c = counts.get(table.name());
        if (c == null || System.nanoTime() - c.at() > REFRESH_NANOS) {
            try {
                c = countNow(table);
                counts.put(table.name(), c);
            } catch (RuntimeException e) {
                return c == null ? new Counts(0, 0, 0, 0) : c;
            }
        }
        return c;
    }

    /** Jobs due, running and dead at one moment. */
    public record Counts(long queued, long running, long dead, long at) {
    }
}
