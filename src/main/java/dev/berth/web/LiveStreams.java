package dev.berth.web;

import dev.berth.api.ApiException;
import dev.berth.live.LiveConfig;
import dev.berth.live.LiveSignals;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The open live streams of the pages on this instance: each one a {@link LiveSignals} subscription that writes a
 * {@code change} event to its client when a key it follows is signalled, a keep-alive comment every
 * {@link LiveConfig#keepAlive()} (a write that fails means the client went away, and the stream ends), and an end
 * after {@link LiveConfig#maxAge()}. Streams are counted per user, up to {@link LiveConfig#maxStreamsPerUser()}, and in
 * the metric {@code berth_live_streams}.
 */
@ApplicationScoped
public class LiveStreams {
    @Inject
    LiveSignals signals;
    @Inject
    LiveConfig config;
    @Inject
    MeterRegistry registry;

    private final Map<String, AtomicInteger> perUser = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "live-streams");
        t.setDaemon(true);
        return t;
    });

    void registerMetrics(@Observes StartupEvent e) {
        Gauge.builder("berth.live.streams", open, AtomicInteger::get)
                .description("Live page streams open on this instance").register(registry);
    }

    /** Streams open on this instance (tests and metrics). */
    public int open() {
        return open.get();
    }

    /**
     * Streams {@code user} holds open on this instance: a stream counts until it has ended, which closes its
     * subscription first (tests).
     */
    public int openFor(String user) {
        AtomicInteger count = perUser.get(user);
        return count == null ? 0 : count.get();
    }

    /**
     * Follows the keys {@code follows} accepts for {@code user} on {@code sink} until the client leaves or the stream
     * is {@link LiveConfig#maxAge()} old. Refused with 429 when the user holds too many streams already.
     *
     * @param keys what the stream says it follows in its {@code ready} event (for the page's script and tests)
     */
    public void follow(String user, List<String> keys, Predicate<String> follows, SseEventSink sink, Sse sse) {
        AtomicInteger count = perUser.computeIfAbsent(user, u -> new AtomicInteger());
        if (count.incrementAndGet() > config.maxStreamsPerUser()) {
            count.decrementAndGet();
            throw new ApiException(429, "Too many live streams",
                    "at most " + config.maxStreamsPerUser() + " live pages may be open at once per user", List.of());
        }
        open.incrementAndGet();
        AtomicBoolean ended = new AtomicBoolean();
        AtomicReference<ScheduledFuture<?>> keepAlive = new AtomicReference<>();
        AtomicReference<LiveSignals.Subscription> subscription = new AtomicReference<>();
        Runnable end = () -> {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            LiveSignals.Subscription s = subscription.get();
            if (s != null) {
                s.close();
            }
            ScheduledFuture<?> k = keepAlive.get();
            if (k != null) {
                k.cancel(false);
            }
            count.decrementAndGet();
            open.decrementAndGet();
            try {
                sink.close();
            } catch (RuntimeException e) {
                // the client closed it already
            }
        };
        Object lock = new Object();
        java.util.function.Consumer<OutboundSseEvent> send = event -> {
            synchronized (lock) {
                if (ended.get() || sink.isClosed()) {
                    end.run();
                    return;
                }
                sink.send(event).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        end.run();
                    }
                });
            }
        };
        subscription.set(signals.subscribe(follows, key -> send.accept(sse.newEventBuilder().name("change")
                .data(LiveSignals.PLATFORM.equals(key) ? "platform" : key).build())));
        send.accept(sse.newEventBuilder().name("ready").reconnectDelay(500).data(String.join(" ", keys)).build());
        long every = config.keepAlive().toMillis();
        long maxTicks = Math.max(1, config.maxAge().toMillis() / every);
        long[] ticks = {0};
        keepAlive.set(timer.scheduleWithFixedDelay(() -> {
            if (++ticks[0] >= maxTicks) {
                end.run();
            } else {
                send.accept(sse.newEventBuilder().comment("keep-alive").build());
            }
        }, every, every, TimeUnit.MILLISECONDS));
    }

    void stop(@Observes ShutdownEvent e) {
        timer.shutdownNow();
    }
}
