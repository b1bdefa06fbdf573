package dev.berth.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Compares Kubernetes objects, serialized as YAML, with hand-reviewed golden files under
 * {@code src/test/resources/golden/}. Run with {@code -Dgolden.update=true} to rewrite the files after an intended
 * change, then review the diff before committing it.
 */
public final class Golden {
    private static final Path SOURCE_DIR = Path.of("src/test/resources/golden");

    private Golden() {
    }

    public static String yaml(List<? extends HasMetadata> objects) {
        return objects.stream().map(Serialization::asYaml).collect(Collectors.joining());
    }

    public static String read(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new AssertionError("golden file missing: src/test/resources/golden/" + name
                        + " (run with -Dgolden.update=true, then review it)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void assertMatches(String name, List<? extends HasMetadata> objects) {
        String actual = yaml(objects);
        if (Boolean.getBoolean("golden.update")) {
            try {
                Files.createDirectories(SOURCE_DIR);
                Files.writeString(SOURCE_DIR.resolve(name), actual);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        assertThat(actual).as("objects compared with golden/" + name).isEqualTo(read(name));
    }

    /** Compares generated text (a configuration file) with a golden file, or rewrites it with -Dgolden.update. */
    public static void assertTextMatches(String name, String actual) {
        if (Boolean.getBoolean("golden.update")) {
            try {
                Files.createDirectories(SOURCE_DIR);
                Files.writeString(SOURCE_DIR.resolve(name), actual);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        org.assertj.core.api.Assertions.assertThat(actual).isEqualTo(read(name));
    }
}
