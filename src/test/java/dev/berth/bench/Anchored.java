package dev.berth.bench;

import dev.berth.testsupport.SqlStatements;
import io.agroal.api.AgroalDataSource;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/**
 * Measures an endpoint under concurrent clients and prints it next to anchors measured in the same run on the same
 * data: the raw SQL that returns the same rows over JDBC (the floor for the endpoint's data) and a trivial
 * authenticated GET of the same server (the floor for HTTP and authentication), with the p99 as a multiple of each,
 * and the SQL statements one request sends (counted by {@link SqlStatements}). With {@code -Dberth.bench.jfr=<dir>}
 * each measured phase is recorded by JFR ({@link Profile}).
 */
final class Anchored {
    private final LoadDriver driver;
    private final BenchReport report;
    private final AgroalDataSource db;
    private final int clients;
    private final int requests;
    private final int warmup;
    private final double targetMs;
    private LoadDriver.Result trivial;
    private URI trivialUri;

    Anchored(LoadDriver driver, BenchReport report, AgroalDataSource db, int clients, int requests, int warmup,
            double targetMs) {
        this.driver = driver;
        this.report = report;
        this.db = db;
        this.clients = clients;
        this.requests = requests;
        this.warmup = warmup;
        this.targetMs = targetMs;
    }

    /** The trivial authenticated GET every later figure is compared with; measure it first (and again at the end). */
    LoadDriver.Result trivial(String name, URI uri) throws Exception {
        LoadDriver.Result r = http(name, uri);
        if (trivial == null) {
            trivial = r;
            trivialUri = uri;
        }
        return r;
    }

    /**
     * The endpoint, then {@code sql} with {@code params} by as many clients over JDBC (every row read), then the
     * ratios. {@code expectedRows} is checked for each anchor query (-1: any number).
     */
    LoadDriver.Result endpoint(String name, URI uri, String sql, List<Object> params, int expectedRows)
            throws Exception {
        // The trivial GET again right before, so both are measured under the same load of a shared machine.
        LoadDriver.Result floorHttp = trivialUri == null ? null
                : driver.run(name + " trivial anchor", trivialUri, clients, Math.max(clients, requests / 3));
        LoadDriver.Result r = http(name, uri);
        String statements = driver.header(uri, SqlStatements.REQUEST_HEADER, SqlStatements.RESPONSE_HEADER);
        report.add(name + ": SQL statements per request", statements == null ? "not counted" : statements, "-", "-");
        LoadDriver.Result floor = LoadDriver.run(name + " SQL anchor", clients, requests,
                () -> query(sql, params, expectedRows));
        report.add(name + ": anchor raw SQL of the same rows over JDBC, p50 / p99", BenchReport.fmt(floor.p50())
                + " / " + BenchReport.fmt(floor.p99()) + " ms" + (floor.errors() > 0 ? " (" + floor.errors()
                + " answers with an unexpected row count)" : ""), "-", "-");
        if (floorHttp != null) {
            report.add(name + ": anchor trivial GET just before, p50 / p99 / throughput", BenchReport.fmt(
                    floorHttp.p50()) + " / " + BenchReport.fmt(floorHttp.p99()) + " ms / "
                    + BenchReport.fmt(floorHttp.perSecond()) + " req/s", "-", "-");
        }
        report.add(name + ": p99 as a multiple of the raw SQL / of the trivial GET (target <= 2x)",
                ratio(r.p99(), floor.p99()) + " / " + (floorHttp == null ? "-" : ratio(r.p99(), floorHttp.p99())),
                "-", "-");
        if (floorHttp != null) {
            // In a closed loop, throughput is the inverse of the server's cost per request: this ratio is the
            // endpoint's CPU cost in trivial GETs, the steadiest figure on a loaded machine.
            report.add(name + ": cost per request in trivial GETs (trivial throughput / endpoint throughput)",
                    ratio(floorHttp.perSecond(), r.perSecond()), "-", "-");
        }
        return r;
    }

    private LoadDriver.Answer query(String sql, List<Object> params, int expectedRows) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            long n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int col = 1; col <= columns; col++) {
                        rs.getObject(col);
                    }
                    n++;
                }
            }
            return new LoadDriver.Answer(expectedRows < 0 || n == expectedRows ? 200 : 500, n);
        }
    }

    private LoadDriver.Result http(String name, URI uri) throws Exception {
        int status = driver.status(uri);
        if (status != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + status);
        }
        driver.run(name + " warm-up", uri, clients, warmup);
        LoadDriver.Result r;
        try (Profile profile = Profile.start(name)) {
            r = driver.run(name, uri, clients, requests);
        }
        System.out.printf("bench: %s -> %s%n", name, r);
        report.add(name + ": p50 / p95", BenchReport.fmt(r.p50()) + " / " + BenchReport.fmt(r.p95()) + " ms", "-",
                "-");
        report.add(name + ": p99", r.p99(), "ms", targetMs);
        report.add(name + ": throughput", BenchReport.fmt(r.perSecond()) + " req/s", "-", "-");
        report.add(name + ": errors / response size", r.errors() + " of " + r.requests() + " / "
                + BenchReport.fmt(r.avgBytes() / 1024.0) + " KiB" + (LoadDriver.GZIP ? " (gzip asked)" : ""),
                "0 errors", r.errors() == 0 ? "met" : "MISSED " + r.statuses());
        return r;
    }

    static String ratio(double value, double anchor) {
        return anchor <= 0 ? "-" : String.format(Locale.ROOT, "%.2fx", value / anchor);
    }
}
