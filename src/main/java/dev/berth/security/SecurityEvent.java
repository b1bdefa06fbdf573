package dev.berth.security;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.List;

/**
 * One refused request by a stranger: someone who is not a member of the tenant the request aimed at, or not a
 * platform admin for a platform operation. Kept in the platform's security log, never in a tenant's audit log.
 */
@Entity
public class SecurityEvent extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Instant at = Instant.now();
    public String actor;
    public String sourceIp;
    public String method;
    public String path;
    public int status;
    /** The tenant slug the request named, if any (it may not exist). */
    public String target;
    public String detail;
    /** How many earlier events of the same source were left out by the rate limit before this one. */
    public int suppressed;

    public static List<SecurityEvent> newest(String source, int limit) {
        return source == null ? find("order by at desc, id desc").page(0, limit).list()
                : find("sourceIp = ?1 order by at desc, id desc", source).page(0, limit).list();
    }
}
