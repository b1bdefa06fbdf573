package dev.berth.api;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import org.hibernate.exception.JDBCConnectionException;
import org.junit.jupiter.api.Test;

/**
 * What a persistence failure becomes: a unique index's verdict is a 409 naming the field, a database too busy to
 * serve in time is a 503 with Retry-After (the pool's acquisition timeout as Agroal words it, PostgreSQL's lock and
 * statement timeouts), anything else a 500 that tells nothing of the internals.
 */
class ConstraintConflictsTest {
    private static Problem problem(Response r) {
        return (Problem) r.getEntity();
    }

    @Test
    void noPooledConnectionInTimeIsA503WithRetryAfter() {
        for (String message : new String[] {"Sorry, acquisition timeout!",
                "Acquisition timeout while waiting for new connection"}) {
            Response r = ConstraintConflicts.map(new JDBCConnectionException("Unable to acquire JDBC Connection",
                    new SQLException(message)));
            assertThat(r.getStatus()).as(message).isEqualTo(503);
            assertThat(r.getHeaderString("Retry-After")).isEqualTo("1");
            assertThat(problem(r).detail()).contains("busy").contains("nothing was changed");
        }
    }

    @Test
    void aLockOrStatementTimeoutIsA503() {
        for (String state : new String[] {"55P03", "57014"}) {
            Response r = ConstraintConflicts.map(new PersistenceException(new SQLException("timed out", state)));
            assertThat(r.getStatus()).as(state).isEqualTo(503);
            assertThat(r.getHeaderString("Retry-After")).isEqualTo("1");
        }
    }

    @Test
    void aUniqueViolationIsA409NamingTheField() {
        Response r = ConstraintConflicts.map(new PersistenceException(new SQLException(
                "duplicate key value violates unique constraint \"x\" Detail: Key (custom_domain)=(a.example.com) "
                        + "already exists.", "23505")));
        assertThat(r.getStatus()).isEqualTo(409);
        assertThat(problem(r).field()).isEqualTo("customDomain");
        assertThat(r.getHeaderString("Retry-After")).isNull();
    }

    @Test
    void anyOtherFailureIsA500WithoutInternals() {
        Response r = ConstraintConflicts.map(new PersistenceException(new SQLException("relation \"app\" is gone",
                "42P01")));
        assertThat(r.getStatus()).isEqualTo(500);
        assertThat(problem(r).detail()).doesNotContain("relation");
    }
}
