package dev.berth.apps;

import dev.berth.kube.Quantities;

/** One line per process for release diffs, the audit log and pages. */
public final class ProcessText {
    private ProcessText() {
    }

    public static String describe(ProcessSpec p) {
        String what = p.cron() ? "cron \"" + p.schedule() + "\" " + p.concurrencyPolicy()
                : "worker x" + p.replicas();
        return what + ": " + String.join(" ", p.command()) + (p.args().isEmpty() ? "" : " " + String.join(" ", p.args()))
                + " (" + Quantities.cpu(p.cpuRequestMillis()) + "/" + Quantities.cpu(p.cpuLimitMillis()) + " CPU, "
                + Quantities.memory(p.memoryRequestBytes()) + "/" + Quantities.memory(p.memoryLimitBytes()) + ")";
    }
}
