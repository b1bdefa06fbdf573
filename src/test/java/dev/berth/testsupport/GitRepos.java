package dev.berth.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/** Real Git repositories served by the test run's git daemon ({@link BuildInfra}); commits made with JGit. */
public final class GitRepos {
    private GitRepos() {
    }

    /** Commits {@code files} (path to content) to branch {@code main} of repository {@code name}; returns the SHA. */
    public static String commit(String name, String message, Map<String, String> files) {
        Path dir = BuildInfra.reposDir().resolve(name);
        try {
            Git git;
            if (Files.exists(dir.resolve(".git"))) {
                git = Git.open(dir.toFile());
            } else {
                git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
            }
            try (git) {
                for (Map.Entry<String, String> f : files.entrySet()) {
                    Path p = dir.resolve(f.getKey());
                    Files.createDirectories(p.getParent());
                    if (f.getValue() == null) {
                        Files.deleteIfExists(p);
                    } else {
                        Files.writeString(p, f.getValue());
                    }
                }
                git.add().addFilepattern(".").call();
                git.add().addFilepattern(".").setUpdate(true).call();
                PersonIdent who = new PersonIdent("Ada Lovelace", "ada@example.com");
                RevCommit c = git.commit().setMessage(message).setAuthor(who).setCommitter(who).call();
                return c.name();
            }
        } catch (IOException | GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds a binary file (a JAR) in a new commit. */
    public static String commitBinary(String name, String message, String path, byte[] content) {
        try {
            Path p = BuildInfra.reposDir().resolve(name).resolve(path);
            Files.createDirectories(p.getParent());
            Files.write(p, content);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return commit(name, message, Map.of());
    }
}
