package dev.berth.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * A JFR recording of one measured phase of a benchmark, written to {@code <dir>/<phase>.jfr} when
 * {@code -Dberth.bench.jfr=<dir>} is set (nothing otherwise). Read it with
 * {@code jfr print --events jdk.ExecutionSample} or {@code jfr summary}; the bench's JVM serves the requests, so
 * the samples are the server's work.
 */
final class Profile implements AutoCloseable {
    private static final String DIR = System.getProperty("berth.bench.jfr", "");
    private final Recording recording;
    private final Path file;

    private Profile(Recording recording, Path file) {
        this.recording = recording;
        this.file = file;
    }

    static Profile start(String phase) throws Exception {
        if (DIR.isBlank()) {
            return new Profile(null, null);
        }
        Path dir = Path.of(DIR);
        Files.createDirectories(dir);
        Recording r = new Recording(Configuration.getConfiguration("profile"));
        r.start();
        return new Profile(r, dir.resolve(phase.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-|-$", "") + ".jfr"));
    }

    @Override
    public void close() throws Exception {
        if (recording != null) {
            recording.stop();
            recording.dump(file);
            recording.close();
            System.out.printf("bench: JFR recording written to %s%n", file);
        }
    }
}
