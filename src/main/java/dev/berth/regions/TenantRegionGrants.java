package dev.berth.regions;

/**
 * What must follow, in the same transaction, when a tenant is granted a region: its apps placed in all regions
 * spread to the new one. Declared here and implemented by the placement floor above (PlacementService), so that
 * regions, which placement builds on, need not know placement.
 */
public interface TenantRegionGrants {
    /** Called once the grant is stored; throws (a quota refusal, say) to refuse it with the whole change. */
    void tenantGranted(long tenantId, Region region);
}
