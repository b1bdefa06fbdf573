package dev.berth.apps;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.api.ApiException;
import dev.berth.identity.TenantContext;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * An app's runtime logs over the API (and for the app page): live as Server-Sent Events ({@code .../logs}), or the
 * last lines as plain text to download ({@code .../logs/download}). Every member of the tenant may read them, as with {@code kubectl logs} in the tenant's namespace.
 */
@Path("/api/v1/tenants/{tenant}/apps/{app}/logs")
@Tag(name = "Apps")
@Singleton
public class AppLogResource {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,7})([smhd]?)");
    /**
     * How often a live stream checks that its client is still there, and how often it sends a keep-alive comment: a
     * client that went away is noticed at the latest when a write to it fails, so its pods' streams close within
     * seconds.
     */
    static final Duration CHECK = Duration.ofMillis(500);
    static final Duration KEEP_ALIVE = Duration.ofSeconds(2);

    @Inject
    AppLogs logs;
    @Inject
    TenantContext tenant;
    @Inject
    ObjectMapper json;

    private final ScheduledExecutorService watchers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "app-log-clients");
        t.setDaemon(true);
        return t;
    });

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Follow the app's logs live, merged across pods and regions",
            description = "One `log` event per line: JSON with `region`, `pod`, `container`, `time` and `text`. "
                    + "A `note` event says what cannot be read (a region not connected); when no region can be followed the "
                    + "stream ends with an `end` event. Starts with the last `tail` "
                    + "lines of each pod (100), or those of the last `since` (`90`, `90s`, `15m`, `2h`, `1d`); "
                    + "`region` and `pod` narrow it down. Pods that start later are followed as they start. The "
                    + "stream ends when the client disconnects.")
    @APIResponse(responseCode = "200", description = "The log, as Server-Sent Events",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS))
    public void follow(@PathParam("tenant") String slug, @PathParam("app") String app,
            @QueryParam("region") String region, @QueryParam("pod") String pod, @QueryParam("tail") String tail,
            @QueryParam("since") String since, @Context SseEventSink sink, @Context Sse sse)
            throws InterruptedException {
        AppLogs.Query q = new AppLogs.Query(blankToNull(region), blankToNull(pod), number("tail", tail),
                seconds(since), false, true);
        Object lock = new Object();
        AppLogs.Session session = logs.read(tenant.tenantId(), tenant.slug(), app, q, line -> {
            String data = toJson(line);
            synchronized (lock) {
                if (!sink.isClosed()) {
                    sink.send(sse.newEventBuilder().name("log").data(data).build());
                }
            }
        });
        synchronized (lock) {
            for (String note : session.notes()) {
                sink.send(sse.newEventBuilder().name("note").data(note).build());
            }
            if (!session.following()) {
                // Nothing can be followed now (no region connected, or only simulated ones): say so and end, rather
                // than hold the connection open with nothing to send.
                sink.send(sse.newEventBuilder().name("end").data("no region of the app can be followed now").build())
                        .toCompletableFuture().join();
                sink.close();
                return;
            }
        }
        watchUntilGone(session, sink, sse, lock);
    }

    @GET
    @Path("download")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The app's last log lines as text, merged across pods and regions by time",
            description = "Each line: `<time> <region>/<pod> <text>`. `tail` lines per pod (100, at most 5000) or "
                    + "those of the last `since`; `previous=true` reads the previous container of each pod (the one "
                    + "that crashed).")
    public jakarta.ws.rs.core.Response download(@PathParam("tenant") String slug, @PathParam("app") String app,
            @QueryParam("region") String region, @QueryParam("pod") String pod, @QueryParam("tail") String tail,
            @QueryParam("since") String since, @QueryParam("previous") String previous) throws InterruptedException {
        AppLogs.Query q = new AppLogs.Query(blankToNull(region), blankToNull(pod), number("tail", tail),
                seconds(since), bool("previous", previous), false);
        StringBuilder out = new StringBuilder();
        AppLogs.Session session = logs.read(tenant.tenantId(), tenant.slug(), app, q, l -> out
                .append(l.time() == null ? "-" : l.time().toString()).append(' ').append(l.region()).append('/')
                .append(l.pod()).append(' ').append(l.text()).append('\n'));
        session.notes().forEach(n -> out.append("# ").append(n).append('\n'));
        return jakarta.ws.rs.core.Response.ok(out.toString())
                .header("Content-Disposition", "inline; filename=\"" + app + ".log\"").build();
    }

    /** Closes the session as soon as the client is gone (checked often, with a keep-alive comment now and then). */
    private void watchUntilGone(AppLogs.Session session, SseEventSink sink, Sse sse, Object lock) {
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        long keepAliveEvery = KEEP_ALIVE.toMillis() / CHECK.toMillis();
        long[] ticks = {0};
        task.set(watchers.scheduleWithFixedDelay(() -> {
            boolean gone = sink.isClosed() || session.closed();
            if (!gone && ++ticks[0] % keepAliveEvery == 0) {
                try {
                    synchronized (lock) {
                        sink.send(sse.newEventBuilder().comment("keep-alive").build()).toCompletableFuture()
                                .get(5, TimeUnit.SECONDS);
                    }
                } catch (Exception e) {
                    gone = true;
                }
            }
            if (gone) {
                session.close();
                try {
                    sink.close();
                } catch (RuntimeException e) {
                    // already closed by the client
                }
                task.get().cancel(false);
            }
        }, CHECK.toMillis(), CHECK.toMillis(), TimeUnit.MILLISECONDS));
    }

    private String toJson(AppLogs.Line l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("region", l.region());
        m.put("pod", l.pod());
        m.put("container", l.container());
        m.put("time", l.time() == null ? null : l.time().toString());
        m.put("text", l.text());
        try {
            return json.writeValueAsString(m);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    static Integer number(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > 9 || !value.trim().matches("\\d+")) {
            throw ApiException.invalid(field, "must be a whole number");
        }
        return Integer.parseInt(value.trim());
    }

    /** {@code 90}, {@code 90s}, {@code 15m}, {@code 2h} or {@code 1d} as seconds. */
    static Integer seconds(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Matcher m = DURATION.matcher(value.trim());
        if (!m.matches()) {
            throw ApiException.invalid("since", "must be a duration such as 90, 90s, 15m, 2h or 1d");
        }
        long n = Long.parseLong(m.group(1)) * switch (m.group(2)) {
            case "m" -> 60;
            case "h" -> 3600;
            case "d" -> 86400;
            default -> 1;
        };
        if (n < 1 || n > AppLogs.MAX_SINCE) {
            throw ApiException.invalid("since", "must be between 1 second and 7 days");
        }
        return (int) n;
    }

    private static boolean bool(String field, String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.invalid(field, "must be true or false");
        };
    }

    void stop(@Observes ShutdownEvent e) {
        watchers.shutdownNow();
    }
}
