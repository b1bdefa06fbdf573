package dev.berth.builds;

import dev.berth.builds.run.BuildLog;
import dev.berth.builds.run.BuildLogFeed;
import dev.berth.builds.run.BuildsConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Follows a build log for a Server-Sent Events client: sends the lines stored so far, then new ones as workers
 * write them (read from PostgreSQL, so a client on any Berth instance sees a build running on any other), and an
 * {@code end} event with the final state once the build has finished and its worker closed the log (so the end
 * never overtakes the last lines, which the worker writes around recording the final state). Between reads it
 * waits for {@link BuildLogFeed}'s notification that the log grew, not for a timer; at the feed's fallback poll it
 * reads anyway and sends a comment, which also tells it a client that went away. Stops when the client goes away,
 * and its subscription with it.
 */
@ApplicationScoped
public class BuildLogStream {
    @Inject
    BuildLog logs;
    @Inject
    BuildService builds;
    @Inject
    BuildsConfig config;
    @Inject
    BuildLogFeed feed;

    private final ExecutorService followers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "build-log-follower");
        t.setDaemon(true);
        return t;
    });

    void follow(long buildId, int afterSeq, SseEventSink sink, Sse sse) {
        // Subscribed before the first read: a line stored after it wakes the stream.
        BuildLogFeed.Subscription news = feed.subscribe(buildId);
        // The response head goes out here, on the request's own thread, before the follower's thread may send: sent
        // first from there, it raced the framework's own initial response, which HTTP/2 refuses to send twice.
        sink.send(sse.newEventBuilder().comment("following build " + buildId).build()).toCompletableFuture().join();
        followers.submit(() -> {
            Instant giveUp = Instant.now().plus(config.timeout()).plus(Duration.ofMinutes(5));
            int after = afterSeq;
            try (news; sink) {
                while (!sink.isClosed() && Instant.now().isBefore(giveUp)) {
                    // Read before the lines: a log complete before they were read has none after them.
                    boolean finished = builds.logComplete(buildId);
                    List<BuildLog.Line> lines = logs.read(buildId, after, 500);
                    for (BuildLog.Line l : lines) {
                        sink.send(sse.newEventBuilder().id(Integer.toString(l.seq())).name("log").data(l.text()).build())
                                .toCompletableFuture().join();
                        after = l.seq();
                    }
                    if (lines.isEmpty()) {
                        if (finished) {
                            sink.send(sse.newEventBuilder().name("end").data(builds.stateOf(buildId)).build())
                                    .toCompletableFuture().join();
                            return;
                        }
                        if (!news.await()) {
                            // Quiet for a while: a comment fails on a client that went away.
                            sink.send(sse.newEventBuilder().comment("waiting").build()).toCompletableFuture().join();
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the client disconnected while a line was sent
            }
        });
    }

    void stop(@Observes ShutdownEvent e) {
        followers.shutdownNow();
    }
}
