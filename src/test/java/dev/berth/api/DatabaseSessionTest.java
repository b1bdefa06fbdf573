package dev.berth.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** Every pooled connection runs with PostgreSQL's JIT compiler off (ADR 0031). */
@QuarkusTest
class DatabaseSessionTest {
    @Inject
    AgroalDataSource db;

    @Test
    void pooledConnectionsRunWithoutTheJitCompiler() throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "show jit")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).isEqualTo("off");
        }
    }
}
