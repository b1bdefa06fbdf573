package dev.berth.builds.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a build process and everything it starts together, so that none of it outlives the build or Berth:
 * <ul>
 * <li>the command runs under {@code setsid} as the leader of a process group of its own, behind a small POSIX
 * shell guard that holds a pipe from Berth. When Berth's JVM dies, even by {@code kill -9}, the kernel closes the pipe
 * and the guard kills the whole group at once (Java cannot set a parent-death signal);</li>
 * <li>{@link #kill} stops a tree: the group's members and the process's descendants (also those that left the group)
 * get SIGTERM, and whatever is still alive after a grace period SIGKILL;</li>
 * <li>{@link ProcessLeader} names a group with its leader's start time, so a group recorded by an instance that died
 * (in its workspace, see {@link dev.berth.builds.executors.BuildReaper}) is killed later without hitting an
 * unrelated process that reused the number.</li>
 * </ul>
 */
public final class ProcessTree {
    /**
     * {@code $@} runs in the background without the pipe; a subshell waits for the pipe's end (Berth gone) and then
     * kills the group ({@code kill 0}); the guard exits with the command's status once it has stopped the subshell
     * and collected it. Without that {@code wait} the subshell stayed a zombie in the group (its new parent, often
     * a container's PID 1 that reaps nothing, never collects it), and each build step waited for it to go.
     */
    private static final String GUARD = "exec 3<&0; \"$@\" 3<&- </dev/null & child=$!; "
            + "( read -r line <&3; kill -KILL 0 ) </dev/null & watcher=$!; exec 3<&-; "
            + "wait $child; code=$?; kill $watcher 2>/dev/null; wait $watcher 2>/dev/null; exit $code";

    private ProcessTree() {
    }

    /** A process group recorded by its leader's pid and start time. */
    public record ProcessLeader(long pgid, Instant started) {
        String line() {
            return pgid + " " + started.toEpochMilli();
        }

        public static Optional<ProcessLeader> parse(String line) {
            String[] parts = line.strip().split(" ");
            try {
                return parts.length == 2 ? Optional.of(new ProcessLeader(Long.parseLong(parts[0]),
                        Instant.ofEpochMilli(Long.parseLong(parts[1])))) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        static ProcessLeader of(ProcessHandle h) {
            return new ProcessLeader(h.pid(), h.info().startInstant().orElse(Instant.EPOCH));
        }
    }

    /** The command as a process group leader under the guard; its stdin must stay open as long as Berth runs it. */
    public static List<String> guarded(List<String> command) {
        List<String> out = new ArrayList<>(List.of("setsid", "sh", "-c", GUARD, "berth-build"));
        out.addAll(command);
        return out;
    }

    /** Live members of the process group, read from /proc (only processes that started with or after its leader). */
    static Set<ProcessHandle> members(ProcessLeader group) {
        Set<ProcessHandle> out = new LinkedHashSet<>();
        ProcessHandle.allProcesses().forEach(p -> {
            if (pgid(p.pid()) == group.pgid() && !p.info().startInstant().orElse(Instant.MAX)
                    .isBefore(group.started().minusMillis(10))) {
                out.add(p);
            }
        });
        return out;
    }

    /** The process group of a pid, -1 when it is gone. */
    static long pgid(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(rest[2]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Stops the group and every descendant of its leader: SIGTERM first (the tools may clean up), SIGKILL for what
     * is left after {@code grace}. Returns how many processes were signalled.
     */
    public static int kill(ProcessLeader group, Duration grace) {
        Set<ProcessHandle> targets = tree(group);
        if (targets.isEmpty()) {
            return 0;
        }
        targets.forEach(ProcessHandle::destroy);
        Instant until = Instant.now().plus(grace);
        while (Instant.now().isBefore(until) && targets.stream().anyMatch(ProcessHandle::isAlive)) {
            try {
                targets.stream().filter(ProcessHandle::isAlive).findFirst()
                        .ifPresent(p -> p.onExit().completeOnTimeout(p, 100, TimeUnit.MILLISECONDS).join());
            } catch (RuntimeException e) {
                break;
            }
        }
        // Members started meanwhile (a shell reacting to its child's end) go too.
        Set<ProcessHandle> left = tree(group);
        left.forEach(ProcessHandle::destroyForcibly);
        left.forEach(p -> p.onExit().completeOnTimeout(p, 5, TimeUnit.SECONDS).join());
        return targets.size() + left.size();
    }

    private static Set<ProcessHandle> tree(ProcessLeader group) {
        Set<ProcessHandle> all = new LinkedHashSet<>();
        ProcessHandle.of(group.pgid()).filter(h -> ProcessLeader.of(h).started().equals(group.started()))
                .ifPresent(leader -> {
                    all.add(leader);
                    leader.descendants().forEach(all::add);
                });
        all.addAll(members(group));
        // A zombie has ended already: no signal reaches it and only its parent can collect it.
        all.removeIf(p -> !p.isAlive() || zombie(p.pid()) || p.pid() == ProcessHandle.current().pid());
        return all;
    }

    /** Whether the process has exited and waits to be collected by its parent (state Z or X in /proc). */
    static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
