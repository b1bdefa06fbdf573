package dev.berth.reconcile;

import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import dev.berth.regions.RegionsConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * One writer per region across Berth instances. Every instance connects every region and keeps its watch caches
 * (pages, routing and rollouts read them), but only the instance holding a region's lease ({@code region_lease})
 * lets its worker write there. Otherwise two instances converging the same region could undo each other: one
 * applying a desired state it read a moment before the other committed a change and applied it. A lease lasts
 * {@code berth.regions.lease-ttl} on the database's clock and is renewed every {@code lease-renew}; the holder stops
 * writing once two thirds of the lease have passed without a renewal (so before anyone can take it over), and
 * another instance takes over a lease that expired (its holder crashed) at its next renewal. Leases are given back
 * when a region is disconnected and when Berth shuts down, so a clean restart hands over at once.
 */
@ApplicationScoped
public class RegionLeases {
    private static final Logger LOG = Logger.getLogger(RegionLeases.class);
    /** Takes every lease that is free, expired or already ours; returns the ones held now. */
    private static final String CLAIM = """
            insert into region_lease (region_id, holder, expires_at)
            select r.id, ?, now() + ? * interval '1 millisecond' from region r where r.id = any (?)
            on conflict (region_id) do update set holder = excluded.holder, expires_at = excluded.expires_at
                where region_lease.holder = excluded.holder or region_lease.expires_at < now()
            returning region_id""";
    private final String host = host();
    private final String holder = host + "/" + ProcessHandle.current().pid() + "/"
            + UUID.randomUUID().toString().substring(0, 8);
    private boolean leftoversFreed;
    @Inject
    DataSource db;
    @Inject
    RegionClients clients;
    @Inject
    RegionWorkers workers;
    @Inject
    RegionsConfig config;

    /** This instance's name in {@code region_lease.holder}. */
    public String holder() {
        return holder;
    }

    @Scheduled(every = "${berth.regions.lease-renew:10s}", delayed = "${berth.regions.lease-renew:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void renewOnSchedule() {
        try {
            renew();
        } catch (RuntimeException e) {
            // The workers keep writing until their current lease runs short, then wait for a renewal.
            LOG.warnf("renewing region leases failed, trying again later: %s", e.getMessage());
        }
    }

    /** Takes or renews the lease of every region connected here and tells the workers; returns the regions held. */
    public Set<String> renew() {
        Map<Long, String> regions = new LinkedHashMap<>();
        for (RegionCluster c : clients.all()) {
            regions.put(c.info().id(), c.info().name());
        }
        return claim(regions);
    }

    /** Takes or renews one region's lease (a region just connected here); true when this instance holds it. */
    public boolean claim(RegionCluster cluster) {
        return !claim(Map.of(cluster.info().id(), cluster.info().name())).isEmpty();
    }

    private synchronized Set<String> claim(Map<Long, String> regions) {
        if (regions.isEmpty()) {
            return Set.of();
        }
        long asked = System.nanoTime();
        long ttl = config.leaseTtl().toMillis();
        Set<String> held = new LinkedHashSet<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(CLAIM)) {
            if (!leftoversFreed) {
                freeLeftovers(c);
                leftoversFreed = true;
            }
            ps.setString(1, holder);
            ps.setLong(2, ttl);
            ps.setArray(3, c.createArrayOf("bigint", regions.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    held.add(regions.get(rs.getLong(1)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot take region leases: " + e.getMessage(), e);
        }
        // Counted from before the request, with a third of the lease to spare for clock rates and slow answers.
        long until = asked + ttl * 2 / 3 * 1_000_000;
        regions.values().forEach(name -> workers.lease(name, held.contains(name), until));
        return held;
    }

    /**
     * Frees the leases an earlier Berth process on this host left when it died (killed, or a container restarted
     * in the same pod): its process is gone, or its process id is now this process's own. Without this, a
     * single-instance install would not reconcile for up to one lease after a crash.
     */
    int freeLeftovers(Connection c) throws SQLException {
        int freed = 0;
        try (PreparedStatement find = c.prepareStatement("select distinct holder from region_lease where holder like ?")) {
            find.setString(1, host.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%");
            try (ResultSet rs = find.executeQuery()) {
                while (rs.next()) {
                    String old = rs.getString(1);
                    if (!old.equals(holder) && gone(old)) {
                        try (PreparedStatement free = c.prepareStatement("delete from region_lease where holder = ?")) {
                            free.setString(1, old);
                            int n = free.executeUpdate();
                            LOG.infof("freed %d region lease(s) of %s, which is no longer running", n, old);
                            freed += n;
                        }
                    }
                }
            }
        }
        return freed;
    }

    /** {@link #freeLeftovers(Connection)} now (tests); returns the leases freed. */
    public int freeLeftovers() {
        try (Connection c = db.getConnection()) {
            return freeLeftovers(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Whether a holder of this host ({@code host/pid/random}) is no longer running. */
    private static boolean gone(String holder) {
        String[] parts = holder.split("/");
        try {
            long pid = Long.parseLong(parts[parts.length - 2]);
            return pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Gives the region's lease back if this instance holds it (the region is disconnected here). */
    public void release(long regionId) {
        giveBack("delete from region_lease where holder = ? and region_id = " + regionId);
    }

    void onStop(@Observes ShutdownEvent event) {
        giveBack("delete from region_lease where holder = ?");
    }

    private void giveBack(String sql) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, holder);
            ps.executeUpdate();
        } catch (SQLException e) {
            // Not given back: another instance takes it over once it expires.
            LOG.debugf("could not give back region leases: %s", e.getMessage());
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "berth";
        }
    }
}
