package dev.berth.quotas;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.api.ApiException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Collectors;

/**
 * Writes usage samples as CSV (a header row, then one line per sample) or as a JSON document
 * ({@code {"tenant", "from", "to", "interval", "samples": [...]}}), streamed row by row from the database so an
 * export of every tenant never sits in memory.
 */
final class UsageExport {
    enum Format {
        CSV("text/csv; charset=UTF-8", "csv"), JSON("application/json", "json");

        final String mediaType;
        final String extension;

        Format(String mediaType, String extension) {
            this.mediaType = mediaType;
            this.extension = extension;
        }

        static Format parse(String text) {
            if (text == null || text.isBlank() || text.equalsIgnoreCase("csv")) {
                return CSV;
            }
            if (text.equalsIgnoreCase("json")) {
                return JSON;
            }
            throw ApiException.invalid("format", "must be csv or json");
        }
    }

    private UsageExport() {
    }

    /** The samples as the body of a response; {@code tenant} (null: every tenant) names the document and file. */
    static StreamingOutput body(UsageHistory history, Format format, Long tenantId, String tenant, UsageRange range,
            String interval, ObjectMapper json) {
        return format == Format.CSV ? out -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            w.write(String.join(",", UsageSample.CSV_COLUMNS));
            w.write("\r\n");
            history.stream(tenantId, tenantId == null ? tenant : null, range, s -> {
                w.write(s.csvValues().stream().map(UsageExport::csv).collect(Collectors.joining(",")));
                w.write("\r\n");
            });
            w.flush();
        } : out -> {
            try (JsonGenerator g = json.getFactory().createGenerator(out)) {
                g.setCodec(json);
                g.writeStartObject();
                g.writeStringField("tenant", tenant);
                g.writeStringField("from", range.from().toString());
                g.writeStringField("to", range.to().toString());
                g.writeStringField("interval", interval);
                g.writeArrayFieldStart("samples");
                history.stream(tenantId, tenantId == null ? tenant : null, range, g::writeObject);
                g.writeEndArray();
                g.writeEndObject();
            }
        };
    }

    /** A download: the body with a file name the browser saves it under. */
    static Response download(StreamingOutput body, Format format, String name) {
        String file = name.replaceAll("[^a-z0-9-]", "") + "-" + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                .toString().replace(":", "") + "." + format.extension;
        return Response.ok(body, format.mediaType).header("Content-Disposition", "attachment; filename=\"" + file
                + "\"").build();
    }

    /** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
    static String csv(Object value) {
        String s = value == null ? "" : value.toString();
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
