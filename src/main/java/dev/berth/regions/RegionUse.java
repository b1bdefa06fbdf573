package dev.berth.regions;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;

/** Which apps run in a region and which regions a tenant uses: the questions that decide whether one may go. */
@ApplicationScoped
public class RegionUse {
    /** Apps ("tenant/app") placed in the region, of one tenant or (null) of all; sorted. */
    @Transactional(Transactional.TxType.MANDATORY)
    @SuppressWarnings("unchecked")
    public List<String> appsIn(long regionId, Long tenantId) {
        return Panache.getEntityManager().createNativeQuery("select t.slug || '/' || a.name from app a "
                + "join tenant t on t.id = a.tenant_id join app_region ar on ar.app_id = a.id "
                + "where ar.region_id = ?1 and (?2 = -1 or a.tenant_id = ?2) order by 1")
                .setParameter(1, regionId).setParameter(2, tenantId == null ? -1L : tenantId).getResultList();
    }

    /** Names of the regions the tenant may use, sorted. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<String> regionsOf(long tenantId) {
        return Panache.getEntityManager().createQuery("select r.name from Region r where r.id in "
                + "(select tr.regionId from TenantRegion tr where tr.tenantId = :t) order by r.name", String.class)
                .setParameter("t", tenantId).getResultList();
    }
}
