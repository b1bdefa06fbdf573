package dev.berth.api;

import io.quarkus.arc.ArcUndeclaredThrowableException;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.RollbackException;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The database's unique indexes are the last word when two requests claim the same thing at once (two tenants, the
 * same custom domain): the service's check ran before either committed, so the loser's commit fails on the index.
 * That is a conflict, not a server error: 409 naming the field of the column the index covers. Any other
 * persistence failure stays a 500, as problem+json without internals. A row's version that moved on since the
 * request read it (another request committed first) is a conflict too ({@link VersionConflict}).
 *
 * <p>A database too busy to serve the request in time (no pooled connection within the acquisition timeout, a lock
 * or statement timeout) is not a failure of the request either: 503 with {@code Retry-After}, so that clients and
 * load balancers retry it, and nothing was changed (its transaction rolled back).
 */
public class ConstraintConflicts {
    private static final Logger LOG = Logger.getLogger(ConstraintConflicts.class);
    private static final String UNIQUE_VIOLATION = "23505";
    /** PostgreSQL: a lock not obtained within {@code lock_timeout}, a statement cancelled by its timeout. */
    private static final List<String> TIMED_OUT = List.of("55P03", "57014");
    /** Seconds a client is asked to wait before it retries a request the database was too busy for. */
    static final int RETRY_AFTER_SECONDS = 1;
    /** PostgreSQL's detail of a unique violation: {@code Key (custom_domain)=(shop.example.com) already exists.} */
    private static final Pattern KEY = Pattern.compile("Key \\(([a-z_, ]+)\\)=");

    @ServerExceptionMapper
    public Response persistence(PersistenceException e) {
        return map(e);
    }

    @ServerExceptionMapper
    public Response rollback(RollbackException e) {
        return map(e);
    }

    @ServerExceptionMapper
    public Response undeclared(ArcUndeclaredThrowableException e) {
        return map(e);
    }

    static Response map(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof jakarta.persistence.OptimisticLockException
                    || t instanceof org.hibernate.StaleStateException) {
                // Another request committed a change to the same row after this one read it.
                return ProblemMappers.problem(Problem.of(new VersionConflict("the resource", null)));
            }
            if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                String field = field(sql.getMessage());
                String detail = field + " is already taken (another request claimed it at the same time)";
                return ProblemMappers.problem(new Problem("about:blank", "Conflict", 409, detail, field,
                        List.of(new FieldError(field, detail))));
            }
            if (t instanceof SQLException sql && busy(sql)) {
                LOG.warnf("request refused, the database is busy: %s", sql.getMessage());
                return Response.status(503).type(Problem.MEDIA_TYPE).header("Retry-After", RETRY_AFTER_SECONDS)
                        .entity(new Problem("about:blank", "Service Unavailable", 503, "the database is busy; nothing "
                                + "was changed, retry in " + RETRY_AFTER_SECONDS + " s", null, null)).build();
            }
        }
        LOG.error("request failed", e);
        return ProblemMappers.problem(new Problem("about:blank", "Internal Server Error", 500,
                "the request failed; nothing was changed", null, null));
    }

    /**
     * True when the database did not serve the statement in time: the pool had no connection within its acquisition
     * timeout (Agroal says so in the message only, without an SQL state), or PostgreSQL gave up on a lock or a
     * statement.
     */
    static boolean busy(SQLException e) {
        if (e.getSQLState() != null && TIMED_OUT.contains(e.getSQLState())) {
            return true;
        }
        String message = e.getMessage();
        return message != null && message.toLowerCase(java.util.Locale.ROOT).contains("acquisition timeout");
    }

    /** The API field of the first column in the violated key ({@code custom_domain} becomes {@code customDomain}). */
    static String field(String message) {
        Matcher m = message == null ? null : KEY.matcher(message);
        if (m == null || !m.find()) {
            return "body";
        }
        String column = m.group(1).split(",")[0].trim();
        StringBuilder b = new StringBuilder();
        boolean upper = false;
        for (char c : column.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                b.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return b.toString();
    }
}
