package dev.berth.tenancy;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import java.io.Serializable;
import java.util.Objects;

/** A region a tenant may use: the tenant gets a namespace there. */
@Entity
@IdClass(TenantRegion.Key.class)
public class TenantRegion extends PanacheEntityBase {
    @Id
    public Long tenantId;
    @Id
    public Long regionId;

    public static class Key implements Serializable {
        public Long tenantId;
        public Long regionId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(tenantId, k.tenantId) && Objects.equals(regionId, k.regionId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(tenantId, regionId);
        }
    }

    public static TenantRegion of(long tenantId, long regionId) {
        TenantRegion tr = new TenantRegion();
        tr.tenantId = tenantId;
        tr.regionId = regionId;
        return tr;
    }
}
