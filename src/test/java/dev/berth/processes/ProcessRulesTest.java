package dev.berth.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.ApiException;
import dev.berth.api.FieldError;
import dev.berth.api.Validator;
import dev.berth.apps.AppRequests;
import dev.berth.apps.ProcessSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Process settings: what is accepted, what each refusal names, and the defaults a process gets. */
class ProcessRulesTest {
    static final ProcessRules.Defaults WEB = new ProcessRules.Defaults("web", 100, 500, 128L << 20, 256L << 20);

    static ProcessRequest worker(String name, Integer replicas) {
        return new ProcessRequest(name, "worker", List.of("bin/worker"), null, replicas, null, null, null, null, null);
    }

    static ProcessRequest cron(String name, String schedule) {
        return new ProcessRequest(name, "cron", List.of("bin/report"), List.of("--nightly"), null, null, schedule,
                null, null, null);
    }

    static List<String> fields(List<ProcessRequest> in) {
        Validator v = new Validator();
        ProcessRules.processes(v, in, WEB);
        try {
            v.throwIfInvalid();
            return List.of();
        } catch (ApiException e) {
            return e.errors().stream().map(FieldError::field).toList();
        }
    }

    @Test
    void aWorkerTakesTheAppsResourcesAndOneReplicaByDefault() {
        Validator v = new Validator();
        List<ProcessSpec> out = ProcessRules.processes(v, List.of(worker("jobs", null)), WEB);
        assertThat(v.hasErrors()).isFalse();
        assertThat(out).containsExactly(new ProcessSpec("jobs", "worker", List.of("bin/worker"), List.of(), 1, 100, 500,
                128L << 20, 256L << 20, null, null, null, null));
    }

    @Test
    void aCronGetsForbidAndTheClustersHistoryDefaultsAndItsScheduleNormalized() {
        Validator v = new Validator();
        List<ProcessSpec> out = ProcessRules.processes(v, List.of(cron("nightly", " 0  3 * * * ")), WEB);
        assertThat(v.hasErrors()).isFalse();
        ProcessSpec p = out.get(0);
        assertThat(p.schedule()).isEqualTo("0 3 * * *");
        assertThat(p.concurrencyPolicy()).isEqualTo("Forbid");
        assertThat(p.successfulJobsHistoryLimit()).isEqualTo(3);
        assertThat(p.failedJobsHistoryLimit()).isEqualTo(1);
        assertThat(p.replicas()).isNull();
        assertThat(p.footprint().replicas()).isEqualTo(1);
    }

    @Test
    void schedulesNeedFiveValidUnixFields() {
        assertThat(CronSchedules.problem("*/15 * * * *")).isNull();
        assertThat(CronSchedules.problem("0 3 * * 1-5")).isNull();
        assertThat(CronSchedules.problem("0 3 * *")).contains("five fields");
        assertThat(CronSchedules.problem("0 0 3 * * *")).contains("five fields");
        assertThat(CronSchedules.problem("61 3 * * *")).contains("not a valid cron schedule");
        assertThat(CronSchedules.problem("0 25 * * *")).contains("not a valid cron schedule");
        assertThat(CronSchedules.problem("@daily")).contains("five fields");
        assertThat(CronSchedules.problem(null)).contains("required");
        assertThat(fields(List.of(cron("nightly", "0 3 * *")))).containsExactly("processes[0].schedule");
    }

    @Test
    void everyRefusalNamesItsField() {
        List<ProcessRequest> in = new ArrayList<>();
        in.add(worker("Bad_Name", 1));
        in.add(worker("web", 1));
        in.add(worker("jobs", 101));
        in.add(new ProcessRequest("empty", "worker", List.of(), null, 1, null, null, null, null, null));
        in.add(new ProcessRequest("kind", "daemon", List.of("x"), null, null, null, null, null, null, null));
        in.add(new ProcessRequest("pol", "cron", List.of("x"), null, 2, null, "0 3 * * *", "Sometimes", 11, -1));
        in.add(new ProcessRequest("res", "worker", List.of("x"), null, 1,
                new AppRequests.Resources("2", "1", "lots", null), null, null, null, null));
        in.add(new ProcessRequest("wk", "worker", List.of("x"), null, 1, null, "0 3 * * *", null, null, null));
        assertThat(fields(in)).containsExactly("processes[0].name", "processes[1].name", "processes[2].replicas",
                "processes[3].command", "processes[4].type", "processes[5].replicas", "processes[5].concurrencyPolicy",
                "processes[5].successfulJobsHistoryLimit", "processes[5].failedJobsHistoryLimit",
                "processes[6].resources.cpuRequest", "processes[6].resources.memoryRequest",
                "processes[7].schedule");
    }

    @Test
    void namesAreUniqueAndACronsObjectNameFitsTheCronJobLimit() {
        assertThat(fields(List.of(worker("jobs", 1), worker("jobs", 2)))).containsExactly("processes[1].name");
        ProcessRules.Defaults longApp = new ProcessRules.Defaults("a".repeat(40), 100, 500, 1 << 20, 1 << 20);
        Validator v = new Validator();
        ProcessRules.processes(v, List.of(cron("twelve-chars", "0 3 * * *")), longApp);
        assertThatThrownBy(v::throwIfInvalid).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).errors().get(0).message()).contains("at most 52"));
    }

    @Test
    void commandsAreArgvWithAProgramAndBoundedSize() {
        Validator v = new Validator();
        ProcessRules.command(v, "command", List.of(" ", "x"));
        ProcessRules.command(v, "other", java.util.Collections.nCopies(65, "x"));
        ProcessRules.command(v, "none", null);
        assertThatThrownBy(v::throwIfInvalid).isInstanceOf(ApiException.class).satisfies(e -> assertThat(
                ((ApiException) e).errors().stream().map(FieldError::field)).containsExactly("command[0]", "other", "none"));
        Validator ok = new Validator();
        assertThat(ProcessRules.releaseCommand(ok, List.of())).isNull();
        assertThat(ProcessRules.releaseCommand(ok, List.of("bin/migrate", "up"))).containsExactly("bin/migrate", "up");
        assertThat(ok.hasErrors()).isFalse();
    }
}
