package dev.berth.jobs;

import jakarta.persistence.Query;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A job in a queue's dead letter, as platform admins see it: which queue and row, whose it is, what it was, the
 * error of its last attempt, how many attempts it made and since when it is dead.
 */
@Schema(name = "DeadJob")
public record DeadJob(
        @Schema(enumeration = {"builds", "rollouts", "notifications"}) String queue,
        long id,
        String tenant,
        @Schema(description = "the app the job works for, if any") String app,
        @Schema(description = "what the job is, e.g. `build #4`, `rollout of release #7`") String subject,
        String lastError,
        int attempts,
        Instant deadSince) {

    /**
     * The dead jobs of {@code queue} a native query returns, in its order. Each row holds the job's id, the tenant's
     * slug and the app's name, then whatever columns {@code subject} turns into the job's description, and last its
     * last error, its attempts and the time it died.
     */
    @SuppressWarnings("unchecked")
    public static List<DeadJob> list(String queue, Query rows, Function<Object[], String> subject) {
        List<DeadJob> out = new ArrayList<>();
        for (Object[] r : (List<Object[]>) rows.getResultList()) {
            int n = r.length;
            out.add(row(queue, r[0], r[1], r[2], subject.apply(r), r[n - 3], r[n - 2], r[n - 1]));
        }
        return out;
    }

    /** A dead job from a native query's row values (numbers and timestamps as the JDBC driver returns them). */
    public static DeadJob row(String queue, Object id, Object tenant, Object app, String subject, Object lastError,
            Object attempts, Object deadAt) {
        return new DeadJob(queue, ((Number) id).longValue(), (String) tenant, (String) app, subject,
                (String) lastError, ((Number) attempts).intValue(), JobQueue.Times.instant(deadAt));
    }
}
