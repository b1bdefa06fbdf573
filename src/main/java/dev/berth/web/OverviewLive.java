package dev.berth.web;

import dev.berth.api.ApiException;
import dev.berth.identity.CurrentUser;
import dev.berth.identity.Membership;
import dev.berth.live.LiveSignals;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The live stream of the tenant list and the regions pages, {@code /live} (Server-Sent Events, see docs/ui.md and
 * {@link TenantLive}): a {@code change} event for each tenant the caller is a member of (every tenant for platform
 * admins) and for the platform (regions). Which tenants a caller follows is read when the stream opens; streams end
 * after {@code berth.live.max-age} and the browser opens them again, so a new membership is followed from then on.
 */
@Path("/live")
public class OverviewLive {
    @Inject
    CurrentUser user;
    @Inject
    LiveStreams streams;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void follow(@HeaderParam(HttpHeaders.ACCEPT) String accept, @Context SseEventSink sink, @Context Sse sse) {
        TenantLive.askedForStream(accept);
        if (user.isAnonymous()) {
            throw new ApiException(401, "Not signed in", "sign in to follow changes", List.of());
        }
        if (user.isPlatformAdmin() && user.token() == null) {
            streams.follow(user.name(), List.of("all"), k -> true, sink, sse);
            return;
        }
        Set<String> slugs = Set.copyOf(visibleSlugs());
        List<String> keys = new ArrayList<>(slugs);
        keys.add("platform");
        streams.follow(user.name(), keys, k -> slugs.contains(k) || LiveSignals.PLATFORM.equals(k), sink, sse);
    }

    @SuppressWarnings("unchecked")
    private List<String> visibleSlugs() {
        if (user.token() != null) {
            return Panache.getEntityManager().createNativeQuery("select slug from tenant where id = ?1", String.class)
                    .setParameter(1, user.token().tenantId()).getResultList();
        }
        List<Long> ids = Membership.listBySubject(user.subject()).stream().map(m -> m.id.tenantId).toList();
        if (ids.isEmpty()) {
            return List.of();
        }
        return Panache.getEntityManager().createNativeQuery("select slug from tenant where id in (?1)", String.class)
                .setParameter(1, ids).getResultList();
    }
}
