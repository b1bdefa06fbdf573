package dev.berth.builds;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.List;

/**
 * One build of an app, numbered per app. The row is also the queue entry: workers claim queued rows with
 * {@code FOR UPDATE SKIP LOCKED}, and a running row's heartbeat tells other instances that its worker is alive.
 */
@Entity
public class Build extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Long tenantId;
    public Long appId;
    public int number;
    /** A new build is queued; later writes go through {@link #moveTo}, which checks {@link BuildState}'s table. */
    @Convert(converter = BuildState.Column.class)
    public BuildState state = BuildState.QUEUED;
    public String triggerKind;
    public String requestedBy;
    public String requestedSha;
    public String gitRef;
    public String commitSha;
    public String commitMessage;
    public String commitAuthor;
    public String strategy;
    public String detected;
    public String imageRef;
    public String imageDigest;
    public String inputsKey;
    public String failureReason;
    public int attempts;
    public boolean cancelRequested;
    public String worker;
    /** A worker may still append to the log (see {@code BuildLog#close(long)}); live streams end after it closes. */
    public boolean logOpen;
    public Instant heartbeatAt;
    public Instant queuedAt = Instant.now();
    public Instant startedAt;
    public Instant finishedAt;

    public boolean finished() {
        return state.finished();
    }

    /** Moves the build to {@code to}; refused ({@link dev.berth.state.IllegalTransition}) unless the table allows. */
    public void moveTo(BuildState to) {
        state = state.requireMoveTo(to);
    }

    public static Build findByNumber(long appId, int number) {
        return find("appId = ?1 and number = ?2", appId, number).firstResult();
    }

    public static List<Build> listByApp(long appId, int limit) {
        return listByApp(appId, limit, null);
    }

    /** Builds numbered below {@code before} (all when null), newest first: a keyset page of the (app, number) index. */
    public static List<Build> listByApp(long appId, int limit, Integer before) {
        return before == null ? find("appId = ?1 order by number desc", appId).page(0, limit).list()
                : find("appId = ?1 and number < ?2 order by number desc", appId, before).page(0, limit).list();
    }

    public static int nextNumber(long appId) {
        Integer max = find("select max(b.number) from Build b where b.appId = ?1", appId).project(Integer.class)
                .firstResult();
        return max == null ? 1 : max + 1;
    }
}
