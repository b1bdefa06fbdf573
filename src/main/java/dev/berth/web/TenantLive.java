package dev.berth.web;

import dev.berth.api.ApiException;
import dev.berth.identity.CurrentUser;
import dev.berth.identity.TenantContext;
import dev.berth.live.LiveSignals;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;

/**
 * A tenant's pages' live stream, {@code /t/{tenant}/live} (Server-Sent Events, see docs/ui.md): a {@code change}
 * event tells the dashboard, an app's page, its builds or its releases that something they show may have changed, and
 * the page renders itself again through an ordinary request. Only the key of what changed is sent (the tenant's slug,
 * or {@code platform}), no tenant data. The tenant filter checks membership before this runs, as for the pages.
 *
 * <p>A stream is opened by the browser's EventSource, which asks for {@code text/event-stream}; a request that does
 * not (a link followed, a crawler) gets 406 instead of a response that never ends.
 */
@Path("/t/{tenant}/live")
public class TenantLive {
    @Inject
    TenantContext tenant;
    @Inject
    CurrentUser user;
    @Inject
    LiveStreams streams;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void follow(@PathParam("tenant") String slug, @HeaderParam(HttpHeaders.ACCEPT) String accept,
            @Context SseEventSink sink, @Context Sse sse) {
        askedForStream(accept);
        String key = tenant.slug();
        streams.follow(user.name(), List.of(key), k -> k.equals(key) || LiveSignals.PLATFORM.equals(k), sink, sse);
    }

    /** Refuses a request that is not an EventSource's (406). */
    static void askedForStream(String accept) {
        if (accept == null || !accept.toLowerCase(java.util.Locale.ROOT).contains(MediaType.SERVER_SENT_EVENTS)) {
            throw new ApiException(406, "Not a stream request",
                    "this address is a live stream for the page's script: ask for text/event-stream", List.of());
        }
    }
}
