package dev.berth.security;

import java.time.Instant;

/** A security log entry as the API and the admin page show it. */
public record SecurityEventView(long id, Instant at, String actor, String sourceIp, String method, String path,
        int status, String target, String detail, int suppressed) {
    static SecurityEventView of(SecurityEvent e) {
        return new SecurityEventView(e.id, e.at, e.actor, e.sourceIp, e.method, e.path, e.status, e.target, e.detail,
                e.suppressed);
    }
}
