package dev.berth.processes;

import dev.berth.api.Validator;
import dev.berth.apps.AppRequests;
import dev.berth.apps.ProcessSpec;
import dev.berth.kube.Names;
import dev.berth.kube.Quantities;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks process settings and resolves them into {@link ProcessSpec}s. Every error names its field
 * ({@code processes[1].schedule}, {@code releaseCommand[0]}), and all of them are reported together.
 */
public final class ProcessRules {
    public static final int MAX_PROCESSES = 20;
    public static final int MAX_NAME = 20;
    public static final int MAX_REPLICAS = 100;
    public static final int MAX_ARGV = 64;
    public static final int MAX_ARG_LENGTH = 4096;
    public static final int MAX_HISTORY = 10;
    /** CronJob names may be 52 characters at most: the controller appends 11 to name each Job. */
    static final int CRONJOB_NAME_MAX = 52;
    static final List<String> POLICIES = List.of("Allow", "Forbid", "Replace");
    /** Names that would read as the app's own web process or its colours and tracks. */
    static final Set<String> RESERVED = Set.of("web", "blue", "green", "canary", "stable", "env");

    private ProcessRules() {
    }

    /** The app's web resources: what a process without resources of its own gets. */
    public record Defaults(String app, int cpuRequestMillis, int cpuLimitMillis, long memoryRequestBytes,
            long memoryLimitBytes) {
    }

    /** The resolved processes; the validator collects every problem. */
    public static List<ProcessSpec> processes(Validator v, List<ProcessRequest> in, Defaults d) {
        List<ProcessSpec> out = new ArrayList<>();
        if (in == null) {
            return out;
        }
        if (in.size() > MAX_PROCESSES) {
            v.add("processes", "at most " + MAX_PROCESSES + " processes");
            return out;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < in.size(); i++) {
            String f = "processes[" + i + "]";
            ProcessRequest p = in.get(i);
            if (p == null) {
                v.add(f, "must be an object");
                continue;
            }
            boolean cron = ProcessSpec.CRON.equals(p.type());
            name(v, f + ".name", p.name(), cron, d.app(), names);
            v.check(ProcessSpec.WORKER.equals(p.type()) || cron, f + ".type", "must be worker or cron");
            argv(v, f + ".command", p.command(), true);
            argv(v, f + ".args", p.args(), false);
            Integer replicas = p.replicas();
            if (cron) {
                v.check(replicas == null, f + ".replicas", "is for workers only (a cron runs one pod at a time)");
                v.rule(f + ".schedule", CronSchedules.problem(p.schedule()));
                v.check(p.concurrencyPolicy() == null || POLICIES.contains(p.concurrencyPolicy()),
                        f + ".concurrencyPolicy", "must be one of " + POLICIES);
                history(v, f + ".successfulJobsHistoryLimit", p.successfulJobsHistoryLimit());
                history(v, f + ".failedJobsHistoryLimit", p.failedJobsHistoryLimit());
            } else {
                replicas = replicas == null ? 1 : replicas;
                v.check(replicas >= 0 && replicas <= MAX_REPLICAS, f + ".replicas",
                        "must be between 0 and " + MAX_REPLICAS);
                for (String cronOnly : cronFieldsSet(p)) {
                    v.add(f + "." + cronOnly, "is for cron processes only");
                }
            }
            int[] cpu = cpu(v, f, p.resources(), d);
            long[] mem = memory(v, f, p.resources(), d);
            if (!v.hasErrors()) {
                out.add(new ProcessSpec(p.name(), p.type(), p.command(), p.args(), cron ? null : replicas, cpu[0], cpu[1],
                        mem[0], mem[1], cron ? CronSchedules.normalize(p.schedule()) : null,
                        cron ? (p.concurrencyPolicy() == null ? "Forbid" : p.concurrencyPolicy()) : null,
                        cron ? (p.successfulJobsHistoryLimit() == null ? 3 : p.successfulJobsHistoryLimit()) : null,
                        cron ? (p.failedJobsHistoryLimit() == null ? 1 : p.failedJobsHistoryLimit()) : null));
            }
        }
        return out;
    }

    /** The release command: null (none) when absent or empty, else a checked argv. */
    public static List<String> releaseCommand(Validator v, List<String> command) {
        if (command == null || command.isEmpty()) {
            return null;
        }
        argv(v, "releaseCommand", command, true);
        return List.copyOf(command);
    }

    /** A command to run once: required, as an argv. */
    public static void command(Validator v, String field, List<String> command) {
        argv(v, field, command, true);
    }

    private static void name(Validator v, String field, String name, boolean cron, String app, Set<String> seen) {
        if (name == null || !Names.isDnsLabel(name) || name.length() > MAX_NAME) {
            v.add(field, "must be a DNS label of at most " + MAX_NAME + " characters (a-z, 0-9, '-')");
        } else if (RESERVED.contains(name)) {
            v.add(field, "is reserved (" + String.join(", ", RESERVED.stream().sorted().toList()) + ")");
        } else if (!seen.add(name)) {
            v.add(field, "is used by another process of this app");
        } else if (cron && ProcessManifests.objectName(app, name).length() > CRONJOB_NAME_MAX) {
            v.add(field, "is too long for a cron of this app: \"" + ProcessManifests.objectName(app, name)
                    + "\" must be at most " + CRONJOB_NAME_MAX + " characters");
        }
    }

    private static void argv(Validator v, String field, List<String> argv, boolean required) {
        if (argv == null || argv.isEmpty()) {
            v.check(!required, field, "is required: the program and its arguments, for example [\"bin/worker\"]");
            return;
        }
        if (argv.size() > MAX_ARGV) {
            v.add(field, "at most " + MAX_ARGV + " items");
            return;
        }
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a == null || (i == 0 && a.isBlank())) {
                v.add(field + "[" + i + "]", i == 0 ? "must name the program to run" : "must be a string");
            } else if (a.length() > MAX_ARG_LENGTH) {
                v.add(field + "[" + i + "]", "must be at most " + MAX_ARG_LENGTH + " characters");
            }
        }
    }

    private static void history(Validator v, String field, Integer n) {
        v.check(n == null || (n >= 0 && n <= MAX_HISTORY), field, "must be between 0 and " + MAX_HISTORY);
    }

    private static List<String> cronFieldsSet(ProcessRequest p) {
        List<String> set = new ArrayList<>();
        if (p.schedule() != null) {
            set.add("schedule");
        }
        if (p.concurrencyPolicy() != null) {
            set.add("concurrencyPolicy");
        }
        if (p.successfulJobsHistoryLimit() != null) {
            set.add("successfulJobsHistoryLimit");
        }
        if (p.failedJobsHistoryLimit() != null) {
            set.add("failedJobsHistoryLimit");
        }
        return set;
    }

    private static int[] cpu(Validator v, String f, AppRequests.Resources r, Defaults d) {
        int req = r == null || r.cpuRequest() == null ? d.cpuRequestMillis() : Quantities.parseCpuMillis(r.cpuRequest());
        int lim = r == null || r.cpuLimit() == null ? d.cpuLimitMillis() : Quantities.parseCpuMillis(r.cpuLimit());
        v.check(req > 0, f + ".resources.cpuRequest", "must be a CPU quantity such as 100m or 0.5");
        v.check(lim > 0, f + ".resources.cpuLimit", "must be a CPU quantity such as 500m or 1");
        if (req > 0 && lim > 0 && req > lim) {
            v.add(f + ".resources.cpuRequest", "must not exceed the CPU limit (" + Quantities.cpu(lim) + ")");
        }
        return new int[] {req, lim};
    }

    private static long[] memory(Validator v, String f, AppRequests.Resources r, Defaults d) {
        long req = r == null || r.memoryRequest() == null ? d.memoryRequestBytes()
                : Quantities.parseMemoryBytes(r.memoryRequest());
        long lim = r == null || r.memoryLimit() == null ? d.memoryLimitBytes() : Quantities.parseMemoryBytes(r.memoryLimit());
        v.check(req > 0, f + ".resources.memoryRequest", "must be a memory quantity such as 128Mi");
        v.check(lim > 0, f + ".resources.memoryLimit", "must be a memory quantity such as 256Mi or 1Gi");
        if (req > 0 && lim > 0 && req > lim) {
            v.add(f + ".resources.memoryRequest", "must not exceed the memory limit (" + Quantities.memory(lim) + ")");
        }
        return new long[] {req, lim};
    }

    /** A stored process as the API shows it (quantities as text). */
    public static ProcessRequest view(ProcessSpec p) {
        return new ProcessRequest(p.name(), p.type(), p.command(), p.args().isEmpty() ? null : p.args(), p.replicas(),
                new AppRequests.Resources(Quantities.cpu(p.cpuRequestMillis()), Quantities.cpu(p.cpuLimitMillis()),
                        Quantities.memory(p.memoryRequestBytes()), Quantities.memory(p.memoryLimitBytes())),
                p.schedule(), p.concurrencyPolicy(), p.successfulJobsHistoryLimit(), p.failedJobsHistoryLimit());
    }
}
