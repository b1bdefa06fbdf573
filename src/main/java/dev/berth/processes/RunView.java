package dev.berth.processes;

import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One run as the API and pages show it; {@code logTail} is the last lines kept once it finished. */
public record RunView(long id, String app, String kind, String region, int release, List<String> command,
        String job, @Schema(implementation = RunState.class, type = SchemaType.STRING) String state, Integer exitCode, String reason, String createdBy, Instant createdAt,
        Instant startedAt, Instant finishedAt, String logTail, long version) {

    static RunView of(Run r, String app, String region) {
        return new RunView(r.id, app, r.kind, region, r.releaseNumber, r.command, r.jobName, r.state.value(),
                r.exitCode, r.reason, r.createdBy, r.createdAt, r.startedAt, r.finishedAt, r.logTail, r.version);
    }
}
