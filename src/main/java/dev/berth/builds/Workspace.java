package dev.berth.builds;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** A build's private directory (clone, temporary files, buildah run root); removed whatever way the build ends. */
final class Workspace implements AutoCloseable {
    final Path root;

    Workspace(Path parent, long buildId) throws IOException {
        Files.createDirectories(parent);
        this.root = Files.createTempDirectory(parent, "build-" + buildId + "-");
    }

    Path dir(String name) throws IOException {
        return Files.createDirectories(root.resolve(name));
    }

    @Override
    public void close() {
        deleteTree(root);
    }

    /** Deletes a directory tree, also read-only files (git pack files); never follows symbolic links. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    d.toFile().setWritable(true);
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
