package dev.berth.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The job queue on real PostgreSQL, over a table of its own: concurrent claimers never get the same job, a job
 * whose worker stopped beating is found and queued again, and a job that failed too often goes to the dead letter
 * with its last error and is never claimed again; the metrics count all of it.
 */
@QuarkusTest
class JobQueueTest {
    static final JobTable TABLE = new JobTable("test-jobs", "test_job", "j.state = 'queued' and j.due_at <= now()",
            "j.state = 'running'", "j.due_at, j.id", "due_at", true);

    @Inject
    JobQueues queues;
    @Inject
    EntityManager em;
    @Inject
    MeterRegistry registry;

    @BeforeEach
    void createTable() {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                create table test_job (id bigserial primary key, state varchar(20) not null default 'queued',
                  attempts integer not null default 0, worker varchar(200), heartbeat_at timestamptz,
                  last_error varchar(2000), dead_at timestamptz, due_at timestamptz not null default now())""")
                .executeUpdate());
    }

    @AfterEach
    void dropTable() {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("drop table test_job").executeUpdate());
    }

    private void insert(int n) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "insert into test_job (due_at) select now() - make_interval(secs => g) from generate_series(1, :n) g")
                .setParameter("n", n).executeUpdate());
    }

    private JobQueue queue() {
        return queues.queue(TABLE);
    }

    /** Claims one due job as worker {@code w} and marks it running, in one transaction; null when none is due. */
    private Long claimOne(String w) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Long> ids = queue().lockDue(1, null, Map.of());
            if (ids.isEmpty()) {
                return null;
            }
            queue().started(ids.get(0), w);
            em.createNativeQuery("update test_job set state = 'running' where id = :id").setParameter("id", ids.get(0))
                    .executeUpdate();
            return ids.get(0);
        });
    }

    @Test
    void concurrentClaimersNeverGetTheSameJob() throws Exception {
        insert(300);
        double claimedBefore = registry.counter("berth.jobs.claimed", "queue", "test-jobs").count();
        Map<Long, String> owner = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Integer>> workers = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            String name = "worker-" + w;
            workers.add(pool.submit(() -> {
                int mine = 0;
                while (true) {
                    // Several at a time, held a moment, so the claimers overlap on the same rows.
                    List<Long> got = QuarkusTransaction.requiringNew().call(() -> {
                        List<Long> ids = queue().claim(3);
                        for (long id : ids) {
                            em.createNativeQuery("update test_job set state = 'done', worker = :w where id = :id")
                                    .setParameter("w", name).setParameter("id", id).executeUpdate();
                        }
                        Thread.sleep(2);
                        return ids;
                    });
                    if (got.isEmpty()) {
                        return mine;
                    }
                    for (long id : got) {
                        if (owner.putIfAbsent(id, name) != null) {
                            duplicates.incrementAndGet();
                        }
                    }
                    mine += got.size();
                }
            }));
        }
        List<Integer> perWorker = new ArrayList<>();
        for (Future<Integer> f : workers) {
            perWorker.add(f.get());
        }
        pool.shutdown();

        assertThat(duplicates).hasValue(0);
        assertThat(owner).hasSize(300);
        assertThat(perWorker.stream().mapToInt(Integer::intValue).sum()).isEqualTo(300);
        assertThat(perWorker.stream().filter(n -> n > 0).count()).as("the claimers shared the work: %s", perWorker)
                .isGreaterThan(1);
        assertThat(registry.counter("berth.jobs.claimed", "queue", "test-jobs").count() - claimedBefore)
                .isEqualTo(300);
        assertThat(queues.countNow(TABLE).queued()).isZero();
    }

    @Test
    void aJobWhoseHeartbeatExpiredIsQueuedAgainAndClaimedByAnotherWorker() {
        insert(2);
        long dead = claimOne("host-a/1");
        long alive = claimOne("host-a/2");
        assertThat(queues.countNow(TABLE).running()).isEqualTo(2);
        // host-a/1 stops beating; host-a/2 keeps beating.
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("update test_job set heartbeat_at = now() - interval '5 minutes' where id = :id")
                    .setParameter("id", dead).executeUpdate();
            assertThat(queue().heartbeat(alive)).isTrue();
        });

        List<StaleJob> stale = QuarkusTransaction.requiringNew().call(() -> {
            List<StaleJob> found = queue().lockStale(Duration.ofSeconds(30));
            for (StaleJob s : found) {
                em.createNativeQuery("update test_job set state = 'queued' where id = :id").setParameter("id", s.id())
                        .executeUpdate();
                queue().requeue(s.id(), "worker " + s.worker() + " stopped");
            }
            return found;
        });

        assertThat(stale).extracting(StaleJob::id).containsExactly(dead);
        assertThat(stale.get(0).worker()).isEqualTo("host-a/1");
        assertThat(stale.get(0).attempts()).isEqualTo(1);
        assertThat(claimOne("host-b/1")).as("the recovered job is due again").isEqualTo(dead);
        Object[] row = row(dead);
        assertThat(row[0]).isEqualTo("host-b/1");
        assertThat(((Number) row[1]).intValue()).isEqualTo(2);
        assertThat(row[2]).as("the last error is kept").isEqualTo("worker host-a/1 stopped");
        assertThat(QuarkusTransaction.requiringNew().call(() -> queue().lockStale(Duration.ofSeconds(30)))).isEmpty();
    }

    @Test
    void aJobThatFailedTooOftenGoesToTheDeadLetterWithItsLastErrorAndIsNeverClaimedAgain() {
        insert(1);
        long id = -1;
        for (int attempt = 1; attempt <= 3; attempt++) {
            Long claimed = claimOne("w");
            assertThat(claimed).as("attempt %d is claimed", attempt).isNotNull();
            id = claimed;
            int n = attempt;
            boolean dead = QuarkusTransaction.requiringNew().call(() -> {
                em.createNativeQuery("update test_job set state = 'queued' where id = :id").setParameter("id", claimed)
                        .executeUpdate();
                return queue().failed(claimed, "boom " + n, Instant.now().minusSeconds(1), 3, false);
            });
            assertThat(dead).isEqualTo(attempt == 3);
        }
        Object[] row = row(id);
        assertThat(row[2]).isEqualTo("boom 3");
        assertThat(row[3]).as("dead_at").isNotNull();
        assertThat(claimOne("w")).as("a dead job is not due").isNull();
        JobQueues.Counts counts = queues.countNow(TABLE);
        assertThat(counts.dead()).isEqualTo(1);
        assertThat(counts.queued()).isZero();
        queues.queue(TABLE);
        assertThat(registry.find("berth.jobs.dead").tag("queue", "test-jobs").gauge()).isNotNull();
    }

    private Object[] row(long id) {
        return QuarkusTransaction.requiringNew().call(() -> (Object[]) em.createNativeQuery(
                "select worker, attempts, last_error, dead_at from test_job where id = :id").setParameter("id", id)
                .getSingleResult());
    }
}
