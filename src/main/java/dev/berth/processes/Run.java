package dev.berth.processes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One run of a command from a release of an app, as a Job in one region: a one-off run ({@code kind = run}) or a
 * rollout's release command ({@code kind = release}). Its result (exit code, the last log lines) stays here after
 * the Job is deleted. The state moves only through {@link #move}; {@code @Version} makes the watchers of several
 * Berth instances record a result once.
 */
@Entity
@Table(name = "process_run")
public class Run extends PanacheEntityBase {
    public static final String KIND_RUN = "run";
    public static final String KIND_RELEASE = "release";
    public static final int LOG_TAIL_MAX = 8000;

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Long tenantId;
    public Long appId;
    public Long regionId;
    public String kind;
    public int releaseNumber;
    public Long rolloutId;
    public String image;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> command;
    public String jobName;
    @Convert(converter = RunState.Column.class)
    public RunState state = RunState.PENDING;
    public Integer exitCode;
    public String reason;
    @Column(columnDefinition = "text")
    public String logTail;
    public String createdBy;
    public Instant createdAt = Instant.now();
    public Instant startedAt;
    public Instant finishedAt;
    @Version
    public long version;

    void move(RunState to, String why) {
        state = state.requireMoveTo(to);
        if (why != null) {
            reason = why.length() > 2000 ? why.substring(0, 1997) + "..." : why;
        }
        if (to == RunState.RUNNING && startedAt == null) {
            startedAt = Instant.now();
        }
        if (to.finished()) {
            finishedAt = Instant.now();
        }
    }

    public static List<Run> recent(long appId, int limit) {
        return find("appId = ?1 order by id desc", appId).page(0, limit).list();
    }

    /** The runs whose Jobs should exist: pending or running, in one region. */
    public static List<Run> openIn(long regionId) {
        return list("regionId = ?1 and state in ?2 order by id", regionId, List.of(RunState.PENDING, RunState.RUNNING));
    }

    public static List<Run> open() {
        return list("state in ?1 order by id", List.of(RunState.PENDING, RunState.RUNNING));
    }
}
