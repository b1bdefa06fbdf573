package dev.berth.testsupport;

import static org.awaitility.Awaitility.await;

import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.time.Duration;
import java.util.concurrent.Future;

/**
 * For tests that hold a transaction open across a concurrent request: which PostgreSQL backend the caller's
 * transaction runs on, and a wait until another transaction waits for a row that transaction has written.
 */
public final class RowLocks {
    private RowLocks() {
    }

    /** The backend of the caller's transaction (call it inside the transaction). */
    public static int backend() {
        return ((Number) Panache.getEntityManager().createNativeQuery("select pg_backend_pid()").getSingleResult())
                .intValue();
    }

    /**
     * Waits until another transaction waits for a lock the backend {@code holder} holds, or until {@code other}
     * ended without waiting. Called from inside the holder's transaction: it looks in a transaction of its own.
     */
    public static void awaitWaiterOn(int holder, Future<?> other) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> other.isDone()
                || QuarkusTransaction.requiringNew().call(() -> ((Number) Panache.getEntityManager()
                        .createNativeQuery("select count(*) from pg_stat_activity where ?1 = any(pg_blocking_pids(pid))")
                        .setParameter(1, holder).getSingleResult()).intValue() > 0));
    }
}
