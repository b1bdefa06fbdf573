package dev.berth.reconcile;

import dev.berth.kube.DesiredStateChanged;
import dev.berth.live.LiveSignals;
import dev.berth.notices.Notices;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Tells every Berth instance of committed desired-state changes, so the instance that holds a region's lease
 * ({@link RegionLeases}) converges a change another instance committed at once instead of at its next resync.
 * PostgreSQL's LISTEN/NOTIFY carries them: after each commit that changes a tenant's desired state this instance
 * sends {@code <instance> <tenant>} on the channel {@code berth_desired_<schema>} (so installations sharing a
 * database do not hear each other), and hears the other instances' through the instance's one listener
 * ({@link Notices}). When the listener lost its connection and is back, this feed resyncs the regions it holds,
 * since notifications sent meanwhile are gone; a notification that could not be sent is caught up by the periodic
 * resync. The same channel carries the pages' live signals ({@code <instance> live:<key>}, see {@link LiveSignals});
 * a desired-state change heard from another instance is a live signal as well.
 */
@ApplicationScoped
public class DesiredStateFeed implements Notices.Subscriber {
    private static final Logger LOG = Logger.getLogger(DesiredStateFeed.class);
    /**
     * Prefix of a notification that only wakes pages ({@link LiveSignals}); tenant slugs never contain its colon, so
     * it cannot be taken for a tenant's desired-state change.
     */
    static final String LIVE = "live:";
    @Inject
    Notices notices;
    @Inject
    RegionWorkers workers;
    @Inject
    RegionLeases leases;
    @Inject
    LiveSignals live;
    private volatile String channel;
    private volatile long heard;

    void start(@Observes StartupEvent event) {
        channel = notices.channel("desired");
        notices.subscribe(channel, this);
    }

    /** The channel this instance announces on and listens to. */
    public String channel() {
        return channel;
    }

    void onChange(@Observes(during = TransactionPhase.AFTER_SUCCESS) DesiredStateChanged change) {
        send(change.tenantSlug());
    }

    /** Passes a live signal ({@link LiveSignals}) on to the other instances' pages, as {@code <instance> live:<key>}. */
    void onLive(@Observes LiveSignals.Broadcast signal) {
        publish(LIVE + signal.key());
    }

    /** Tells the other instances that the tenant's desired state changed. */
    public void send(String tenantSlug) {
        publish(tenantSlug);
    }

    private void publish(String subject) {
        if (channel != null) {
            notices.send(channel, leases.holder() + " " + subject);
        }
    }

    /** Notifications from other instances acted upon so far (tests). */
    public long heard() {
        return heard;
    }

    @Override
    public void reconnected() {
        LOG.infof("listening for desired-state changes again; resyncing the regions held here");
        workers.resyncHeld();
    }

    @Override
    public void notified(String payload) {
        int space = payload == null ? -1 : payload.indexOf(' ');
        if (space <= 0 || payload.substring(0, space).equals(leases.holder())) {
            return;
        }
        heard++;
        String subject = payload.substring(space + 1);
        if (subject.startsWith(LIVE)) {
            live.heard(subject.substring(LIVE.length()));
            return;
        }
        workers.changed(subject);
        live.heard(subject);
    }
}
