package dev.berth.builds.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ProcessTreeTest {
    /** Every process of the group in /proc, zombies included (ProcessHandle leaves those out). */
    static List<Long> inGroup(long pgid) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong).filter(pid -> ProcessTree.pgid(pid) == pgid).toList();
        }
    }

    @Test
    void aGuardedCommandThatEndedLeavesNothingInItsGroupNotEvenAZombie() throws Exception {
        // The guard's watcher used to end after the guard did, orphaned and uncollected, in some of the runs.
        for (int run = 0; run < 5; run++) {
            Process p = new ProcessBuilder(ProcessTree.guarded(List.of("sh", "-c", "sleep 0.1; echo done")))
                    .redirectErrorStream(true).start();
            ProcessTree.ProcessLeader leader = ProcessTree.ProcessLeader.of(p.toHandle());
            assertThat(new String(p.getInputStream().readAllBytes())).isEqualTo("done\n");
            assertThat(p.waitFor()).isZero();
            // Berth still holds the guard's pipe open here, as it does until its finally block.
            assertThat(inGroup(leader.pgid())).as("processes left in the group after the command ended").isEmpty();
            long began = System.nanoTime();
            assertThat(ProcessTree.kill(leader, Duration.ofSeconds(5))).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(1));
            p.getOutputStream().close();
        }
    }

    @Test
    void aZombieIsNotWaitedFor() throws Exception {
        // A child that exits while its parent sleeps without collecting it stays a zombie until the parent ends.
        Process parent = new ProcessBuilder("sh", "-c", "sh -c 'exit 0' & exec sleep 30").start();
        try {
            long zombie = -1;
            for (int i = 0; i < 100 && zombie < 0; i++) {
                zombie = parent.toHandle().children().mapToLong(ProcessHandle::pid).filter(ProcessTree::zombie)
                        .findFirst().orElse(-1);
                if (zombie < 0) {
                    Thread.sleep(20);
                }
            }
            if (zombie < 0) {
                // ProcessHandle may not list it; look in /proc by parent.
                zombie = inGroup(ProcessTree.pgid(parent.pid())).stream().filter(ProcessTree::zombie).findFirst()
                        .orElse(-1L);
            }
            assertThat(zombie).as("a zombie child of the sleeping shell").isPositive();
            assertThat(ProcessTree.zombie(parent.pid())).isFalse();
        } finally {
            parent.destroyForcibly().waitFor();
        }
    }
}
