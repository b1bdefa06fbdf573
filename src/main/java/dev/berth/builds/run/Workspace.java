package dev.berth.builds.run;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A build's private directory (clone, temporary files, buildah run root); removed whatever way the build ends. It
 * names the Berth process that owns it ({@value #OWNER}) and, while they run, the build's process groups
 * ({@value #PROCESSES}), so that a workspace whose owner died is recognised and reaped
 * ({@link dev.berth.builds.executors.BuildReaper}).
 */
public final class Workspace implements AutoCloseable {
    public static final String OWNER = "owner";
    public static final String PROCESSES = "processes";
    static final String APP = "app";
    static final String PREFIX = "build-";
    public final Path root;

    public Workspace(Path parent, long buildId, long appId) throws IOException {
        Files.createDirectories(parent);
        this.root = Files.createTempDirectory(parent, PREFIX + buildId + "-");
        Files.writeString(root.resolve(APP), Long.toString(appId));
        Files.writeString(root.resolve(OWNER), ProcessTree.ProcessLeader.of(ProcessHandle.current()).line());
    }

    /** The app a workspace was made for, or -1. */
    public static long appId(Path dir) {
        try {
            return Long.parseLong(Files.readString(dir.resolve(APP)).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The build id in a workspace directory's name, or -1 when it is not one. */
    public static long buildId(Path dir) {
        String name = dir.getFileName().toString();
        if (!name.startsWith(PREFIX)) {
            return -1;
        }
        String rest = name.substring(PREFIX.length());
        int dash = rest.indexOf('-');
        try {
            return Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether the Berth process that made the workspace is still alive (false when it cannot tell who made it). */
    public static boolean ownerAlive(Path dir) {
        try {
            return ProcessTree.ProcessLeader.parse(Files.readString(dir.resolve(OWNER)))
                    .flatMap(o -> ProcessHandle.of(o.pgid()).filter(h -> ProcessTree.ProcessLeader.of(h).started()
                            .equals(o.started())))
                    .isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    public Path dir(String name) throws IOException {
        return Files.createDirectories(root.resolve(name));
    }

    @Override
    public void close() {
        deleteTree(root);
    }

    /** Deletes a directory tree, also read-only files (git pack files); never follows symbolic links. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    // Image layers may hold read-only directories; their entries cannot go until they are writable.
                    d.toFile().setWritable(true, true);
                    return FileVisitResult.CONTINUE;
                }

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
