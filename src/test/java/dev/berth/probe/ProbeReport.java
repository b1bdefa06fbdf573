package dev.berth.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The probe suite's findings and size: every failure by its key (oracle, operation or page, identity, input), the
 * matrix size and the number of requests, and the time; printed and written to {@code target/probe-report.txt}.
 */
final class ProbeReport {
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final Map<String, String> areas = new LinkedHashMap<>();
    private final List<String> sizes = new ArrayList<>();
    private long started;
    private int requests;

    void start() {
        started = System.nanoTime();
    }

    boolean started() {
        return started != 0;
    }

    void sent() {
        requests++;
    }

    /** Records a failure; the first detail of a key is kept. */
    void fail(String area, String key, String detail) {
        failures.putIfAbsent(key, detail);
        areas.putIfAbsent(key, area);
    }

    void api(int operations, int identities, int inputs) {
        sizes.add("API: " + operations + " operations x " + identities + " identities x " + inputs
                + " input classes (field classes per field for the deepest identity)");
    }

    void pages(int routes, int identities, int inputs) {
        sizes.add("pages: " + routes + " routes x " + identities + " identities x " + inputs + " path inputs");
    }

    /** Fails with every failure of the area that is not a known finding. */
    void assertClean(Map<String, String> known, String area) {
        List<String> fresh = failures.entrySet().stream().filter(e -> areas.get(e.getKey()).equals(area))
                .filter(e -> !known.containsKey(e.getKey())).map(e -> e.getKey() + " -> " + e.getValue()).toList();
        assertThat(fresh).as("security probe failures (" + area + ") that are not known findings").isEmpty();
        List<String> fixed = known.keySet().stream().filter(k -> !failures.containsKey(k))
                .filter(k -> area.equals(k.contains(" /api/") ? "api" : "page")).sorted().toList();
        assertThat(fixed).as("known findings (" + area + ") that no longer fail: remove them from KnownFindings")
                .isEmpty();
    }

    void write(Map<String, String> known) throws IOException {
        StringBuilder out = new StringBuilder("Security probe suite\n");
        sizes.forEach(s -> out.append("  ").append(s).append('\n'));
        out.append("  requests: ").append(requests).append(", time: ")
                .append(String.format("%.1f s", (System.nanoTime() - started) / 1e9)).append('\n');
        List<String> fresh = new ArrayList<>();
        List<String> knownHit = new ArrayList<>();
        failures.forEach((k, v) -> (known.containsKey(k) ? knownHit : fresh).add(k + " -> " + v));
        out.append("  new failures: ").append(fresh.size()).append('\n');
        fresh.forEach(f -> out.append("    ").append(f).append('\n'));
        out.append("  known findings that failed: ").append(knownHit.size()).append('\n');
        knownHit.forEach(f -> out.append("    ").append(f).append('\n'));
        List<String> fixed = known.keySet().stream().filter(k -> !failures.containsKey(k)).sorted().toList();
        out.append("  known findings that no longer fail (remove them from KNOWN_FINDINGS): ").append(fixed.size())
                .append('\n');
        fixed.forEach(f -> out.append("    ").append(f).append('\n'));
        System.out.println(out);
        Path target = Path.of("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("probe-report.txt"), out);
    }
}
