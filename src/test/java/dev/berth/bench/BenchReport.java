package dev.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Collects the benchmark's figures and prints them as one table, also written to a file for bench/run. */
final class BenchReport {
    private record Row(String figure, String value, String target, String ratio) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    /** A figure with a numeric target; the ratio is value / target (below 1.00 meets the target). */
    void add(String figure, double value, String unit, double target) {
        rows.add(new Row(figure, fmt(value) + " " + unit, "<= " + fmt(target) + " " + unit,
                target == 0 ? (value == 0 ? "met" : "MISSED") : String.format(Locale.ROOT, "%.2fx", value / target)));
    }

    /** A figure with no target, or one whose target is exact ("0 writes"). */
    void add(String figure, String value, String target, String ratio) {
        rows.add(new Row(figure, value, target, ratio));
    }

    void note(String note) {
        notes.add(note);
    }

    String table() {
        int w0 = "Figure".length();
        int w1 = "Measured".length();
        int w2 = "Target".length();
        for (Row r : rows) {
            w0 = Math.max(w0, r.figure.length());
            w1 = Math.max(w1, r.value.length());
            w2 = Math.max(w2, r.target.length());
        }
        String f = "| %-" + w0 + "s | %-" + w1 + "s | %-" + w2 + "s | %-6s |%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, f, "Figure", "Measured", "Target", "Ratio"));
        sb.append(String.format(Locale.ROOT, f, "-".repeat(w0), "-".repeat(w1), "-".repeat(w2), "------"));
        rows.forEach(r -> sb.append(String.format(Locale.ROOT, f, r.figure, r.value, r.target, r.ratio)));
        notes.forEach(n -> sb.append("- ").append(n).append(System.lineSeparator()));
        return sb.toString();
    }

    void print(Path file) {
        String text = table();
        System.out.println();
        System.out.println("=== Berth benchmark (in-process, @QuarkusTest, sandbox region) ===");
        System.out.print(text);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v)
                : String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
    }
}
