package dev.berth.identity;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A tenant-scoped method only platform admins may call. {@link TenantAccessFilter} checks it after tenant
 * membership, so a stranger gets 404 (as for every other endpoint of a tenant they cannot see) and a member gets
 * 403. {@code @RolesAllowed} would run before the filter and tell strangers 403, unlike the rest of the API.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface PlatformAdminOnly {
}
