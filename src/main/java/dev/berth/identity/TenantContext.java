package dev.berth.identity;

import jakarta.enterprise.context.RequestScoped;

/**
 * The tenant a request is about, resolved and authorized once by {@link TenantAccessFilter} before any resource
 * method runs. Resources read the tenant from here instead of looking it up again.
 */
@RequestScoped
public class TenantContext {
    private Long tenantId;
    private String slug;
    private Role role;
    private boolean stranger;

    void set(long tenantId, String slug, Role role) {
        this.tenantId = tenantId;
        this.slug = slug;
        this.role = role;
    }

    /** Marks the caller as not a member of the tenant the request named (or of no tenant by that name). */
    void markStranger() {
        this.stranger = true;
    }

    /**
     * True when the request named a tenant the caller is not a member of: its refusal belongs in the platform's
     * security log, not in that tenant's audit log.
     */
    public boolean isStranger() {
        return stranger;
    }

    public long tenantId() {
        if (tenantId == null) {
            throw new IllegalStateException("no tenant resolved for this request");
        }
        return tenantId;
    }

    public String slug() {
        tenantId();
        return slug;
    }

    /** The caller's effective role; platform admins act as owners. */
    public Role role() {
        tenantId();
        return role;
    }
}
