package dev.berth.testsupport;

import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.hibernate.resource.jdbc.spi.StatementInspector;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Counts the SQL statements one HTTP request sends through Hibernate, for tests and benchmarks that guard against
 * N+1 queries. A request that carries the header {@value #REQUEST_HEADER} gets the number of statements prepared on
 * its thread, from its first request filter to its response filter (template rendering included), in the response
 * header {@value #RESPONSE_HEADER}. Requests without the header are not counted, so every other test is unaffected.
 * Statements sent on a raw JDBC connection (not through Hibernate) are not seen.
 */
@PersistenceUnitExtension
@ApplicationScoped
public class SqlStatements implements StatementInspector {
    public static final String REQUEST_HEADER = "X-Count-Sql";
    public static final String RESPONSE_HEADER = "X-Sql-Statements";
    private static final ThreadLocal<int[]> COUNT = new ThreadLocal<>();

    @Override
    public String inspect(String sql) {
        int[] count = COUNT.get();
        if (count != null) {
            count[0]++;
        }
        return sql;
    }

    /** Sets and reads the per-request count; a bean of its own, as the inspector carries a qualifier. */
    public static class Filters {
        /** Runs before the tenant is resolved and authorized, so those statements count too. */
        @ServerRequestFilter(priority = 1)
        public void start(ContainerRequestContext request) {
            if (request.getHeaderString(REQUEST_HEADER) != null) {
                COUNT.set(new int[1]);
            } else {
                COUNT.remove();
            }
        }

        /** Response filters run in descending priority: this one runs last, after the page is rendered. */
        @ServerResponseFilter(priority = 1)
        public void end(ContainerResponseContext response) {
            int[] count = COUNT.get();
            if (count != null) {
                response.getHeaders().putSingle(RESPONSE_HEADER, String.valueOf(count[0]));
                COUNT.remove();
            }
        }
    }
}
