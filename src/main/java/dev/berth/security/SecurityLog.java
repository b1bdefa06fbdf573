package dev.berth.security;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The platform's security log: refused requests by strangers (see {@link SecurityEvent}). Writes are rate-limited
 * per source address and in total ({@code berth.security.log-per-source}, {@code berth.security.log-total} per
 * minute), so a flood of refused requests costs a bounded number of rows; what was left out is counted on the next
 * entry of that source.
 */
@ApplicationScoped
public class SecurityLog {
    private static final Logger LOG = Logger.getLogger(SecurityLog.class);
    public static final int MAX_PAGE = 500;
    private final SourceRateLimit limit;

    SecurityLog(@ConfigProperty(name = "berth.security.log-per-source", defaultValue = "30") int perSource,
            @ConfigProperty(name = "berth.security.log-total", defaultValue = "600") int total) {
        this.limit = new SourceRateLimit(perSource, total, Duration.ofMinutes(1), 100_000);
    }

    /** Records a refused request unless the source is over its rate; never fails the request it describes. */
    public void record(String actor, String source, String method, String path, int status, String target,
            String detail) {
        int suppressed = limit.admit(source);
        if (suppressed < 0) {
            return;
        }
        Runnable write = () -> write(actor, source, method, path, status, target, detail, suppressed);
        if (io.vertx.core.Context.isOnEventLoopThread()) {
            Infrastructure.getDefaultWorkerPool().execute(write);
        } else {
            write.run();
        }
    }

    private static void write(String actor, String source, String method, String path, int status, String target,
            String detail, int suppressed) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                SecurityEvent e = new SecurityEvent();
                e.actor = cut(actor == null ? "anonymous" : actor, 200);
                e.sourceIp = cut(source, 64);
                e.method = cut(method, 10);
                e.path = cut(path, 500);
                e.status = status;
                e.target = cut(target, 100);
                e.detail = cut(detail, 1000);
                e.suppressed = suppressed;
                e.persist();
            });
        } catch (RuntimeException e) {
            LOG.warnf(e, "could not record a refused request in the security log: %s %s", method, path);
        }
    }

    @Transactional
    public List<SecurityEventView> newest(String source, int limit) {
        return SecurityEvent.newest(source, Math.max(1, Math.min(limit, MAX_PAGE))).stream()
                .map(SecurityEventView::of).toList();
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
