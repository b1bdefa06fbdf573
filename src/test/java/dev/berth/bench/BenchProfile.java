package dev.berth.bench;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Runs the benchmark against its own database schema ({@code berth_bench}, or {@code -Dberth.bench.schema}), so it
 * never cleans or fills the schema the normal test run uses, even when both run at the same time on one PostgreSQL.
 */
public class BenchProfile implements QuarkusTestProfile {
    static final String SCHEMA = System.getProperty("berth.bench.schema", "berth_bench");

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/postgres?currentSchema=" + SCHEMA,
                "quarkus.flyway.schemas", SCHEMA,
                "quarkus.flyway.clean-at-start", "true",
                "quarkus.flyway.clean-disabled", "false",
                // Readiness is simulated; the bench measures the portal, not the simulated kubelet's delay.
                "berth.regions.sandbox.ready-delay", "200ms",
                // No periodic resync during the measurements: the bench triggers resyncs itself.
                "berth.regions.resync-interval", "1h",
                "quarkus.log.category.\"dev.berth\".level", "WARN");
    }

    @Override
    public String getConfigProfile() {
        return "test";
    }
}
