package dev.berth.deadletters;

import dev.berth.api.ApiException;
import dev.berth.audit.AuditLog;
import dev.berth.jobs.DeadJob;
import dev.berth.jobs.DeadLetter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What platform admins do with the job queues' dead letters (ADR 0028): list the dead jobs of one queue or of all,
 * and retry one. Each queue's feature implements {@link DeadLetter}; this service finds them all, so the list and
 * the retry speak of every queue there is. A retry runs in one transaction with its audit record (in the tenant's
 * log, action {@code jobs.retry}); a refused one changes nothing.
 */
@ApplicationScoped
public class DeadLetters {
    /** Dead jobs listed per queue at most; the newest first. */
    static final int LIMIT = 200;
    @Inject
    @Any
    Instance<DeadLetter> letters;
    @Inject
    AuditLog audit;

    /** The queues' names, sorted. */
    public List<String> queues() {
        return List.copyOf(byName().keySet());
    }

    /** The dead jobs of {@code queue} (every queue when null or blank), most recently dead first. */
    public List<DeadJob> list(String queue) {
        Map<String, DeadLetter> all = byName();
        List<DeadJob> out = new ArrayList<>();
        if (queue == null || queue.isBlank()) {
            all.values().forEach(l -> out.addAll(l.dead(LIMIT)));
            out.sort(Comparator.comparing(DeadJob::deadSince, Comparator.nullsLast(Comparator.reverseOrder())));
            return out;
        }
        DeadLetter letter = all.get(queue.trim());
        if (letter == null) {
            throw ApiException.invalid("queue", "is one of " + String.join(", ", all.keySet()));
        }
        return letter.dead(LIMIT);
    }

    /** Retries one dead job of {@code queue}, audited; 404 for an unknown queue or job, 409 when it cannot be. */
    @Transactional
    public DeadLetter.Retried retry(String queue, String id) {
        DeadLetter letter = byName().get(queue);
        if (letter == null) {
            throw ApiException.notFound("queue", queue);
        }
        long jobId;
        try {
            jobId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ApiException.invalid("id", "is a job's number");
        }
        DeadLetter.Retried r = letter.retry(jobId);
        audit.record(r.tenantId(), r.tenant(), r.app(), "jobs.retry", r.summary(), Map.of("queue", queue, "id", jobId));
        return r;
    }

    private Map<String, DeadLetter> byName() {
        Map<String, DeadLetter> out = new TreeMap<>();
        letters.forEach(l -> out.put(l.queue(), l));
        return out;
    }
}
