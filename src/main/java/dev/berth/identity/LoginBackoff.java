package dev.berth.identity;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Backoff of the local form login, per user name and per client address: the first {@link #FREE} failures cost
 * nothing, each further one doubles the wait before the next attempt is even checked (1 s, 2 s, 4 s, ... at most
 * 5 minutes). A success clears the user's count; an address's count fades 15 minutes after its last failure.
 * Production signs in through the identity provider (OIDC), which has its own brute-force protection.
 */
@ApplicationScoped
public class LoginBackoff {
    static final int FREE = 3;
    static final Duration MAX_WAIT = Duration.ofMinutes(5);
    static final Duration FORGET = Duration.ofMinutes(15);
    private static final int MAX_KEYS = 100_000;

    private record Failures(int count, long lastNanos, long untilNanos) {
    }

    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();

    /** Seconds until the next attempt for this user from this address is checked; 0 when it may go ahead. */
    public long retryAfterSeconds(String user, String address) {
        long now = System.nanoTime();
        long wait = Math.max(remaining(userKey(user), now), remaining(addressKey(address), now));
        return wait <= 0 ? 0 : Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
    }

    public void failed(String user, String address) {
        if (failures.size() > MAX_KEYS) {
            failures.clear();
        }
        long now = System.nanoTime();
        for (String key : new String[] { userKey(user), addressKey(address) }) {
            if (key != null) {
                failures.compute(key, (k, f) -> next(f == null || now - f.lastNanos() > FORGET.toNanos() ? 0
                        : f.count(), now));
            }
        }
    }

    public void succeeded(String user) {
        if (user != null) {
            failures.remove(userKey(user));
        }
    }

    private static Failures next(int count, long now) {
        int n = count + 1;
        long wait = n <= FREE ? 0 : Math.min(MAX_WAIT.toNanos(), Duration.ofSeconds(1).toNanos() << Math.min(30, n - FREE - 1));
        return new Failures(n, now, now + wait);
    }

    private long remaining(String key, long now) {
        Failures f = key == null ? null : failures.get(key);
        return f == null ? 0 : f.untilNanos() - now;
    }

    private static String userKey(String user) {
        return user == null ? null : "user:" + user.toLowerCase();
    }

    private static String addressKey(String address) {
        return address == null ? null : "address:" + address;
    }
}
