package dev.berth.regions;

import dev.berth.kube.RegionInfo;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import org.hibernate.annotations.DynamicUpdate;
import java.time.Instant;
import java.util.List;

/** A Kubernetes cluster that tenants' apps run in, with its connection and the health its loop last saw. */
/*
 * Updated by admins (names, location, grants) and by the health loop and workers (reachability, version, sync
 * times) at the same time: only changed columns are written, so neither overwrites the other's fields.
 */
@Entity
@DynamicUpdate
public class Region extends PanacheEntityBase {
    /** STORED: a kubeconfig an admin registered, kept sealed in {@link #kubeconfigSealed}. */
    public enum ConnectionKind { SANDBOX, KUBECONFIG, IN_CLUSTER, URL, STORED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String name;
    public String displayName;
    public String baseDomain;
    public String ingressClass;
    public String ingressNamespace;
    /** The cert-manager ClusterIssuer the region's apps get certificates from; null: none here. */
    public String tlsIssuer;
    @Enumerated(EnumType.STRING)
    public ConnectionKind connectionKind;
    /** For KUBECONFIG: the file; for URL: the API server address. */
    public String kubeconfigPath;
    public String kubeContext;
    public boolean simulated;
    public String city;
    public Double latitude;
    public Double longitude;
    /** The kubeconfig of a STORED connection, sealed by SecretBox; never shown or logged. */
    public String kubeconfigSealed;
    /** Tenants created later start in this region (within their plan's region limit). */
    public boolean openToNewTenants = true;
    public Instant updatedAt = Instant.now();
    /** What the health probes last saw (column {@code reachable}); written only by {@link #moveHealth}. */
    @Column(name = "reachable")
    @Convert(converter = RegionHealth.Column.class)
    public RegionHealth health = RegionHealth.UNKNOWN;
    public Instant unreachableSince;
    public Instant lastOkAt;
    public Instant lastSyncAt;
    public String kubernetesVersion;
    public Integer latencyMs;
    public String lastError;
    /**
     * Whether this region's cluster runs external-dns for the apps' global hostnames (Berth writes a DNSEndpoint per
     * app there). Null until decided: the configured default region starts with true, other regions with false.
     */
    public Boolean publishesDns;
    /** What the reconciler last found about DNS publishing here ("external-dns CRD not installed", ...). */
    public String dnsStatus;
    public Instant createdAt = Instant.now();

    /** What the health probes last saw (unknown until the first). */
    public RegionHealth health() {
        return health == null ? RegionHealth.UNKNOWN : health;
    }

    /**
     * Records what a probe saw, with {@code unreachableSince} (set when it becomes unreachable, cleared when it
     * answers); refused ({@link dev.berth.state.IllegalTransition}) when {@link RegionHealth}'s table does not allow
     * the move. Returns whether the state changed.
     */
    public boolean moveHealth(RegionHealth to, Instant now) {
        RegionHealth from = health();
        health = from.requireMoveTo(to);
        if (to == RegionHealth.UNREACHABLE && from != RegionHealth.UNREACHABLE) {
            unreachableSince = now;
        } else if (to != RegionHealth.UNREACHABLE) {
            unreachableSince = null;
        }
        return from != to;
    }

    /** The parts of this region that manifests and reconcilers need, detached from the persistence context. */
    public RegionInfo info() {
        return new RegionInfo(id, name, displayName, baseDomain, ingressClass, ingressNamespace, simulated, tlsIssuer);
    }

    public static Region findByName(String name) {
        return find("name", name).firstResult();
    }

    public static List<Region> listAllByName() {
        return list("order by name");
    }
}
