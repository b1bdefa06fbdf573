package dev.berth.quotas;

import dev.berth.api.Problem;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Renders quota refusals from the JSON API with their structured members (see {@link QuotaProblem}). */
public class QuotaProblemMapper {
    @ServerExceptionMapper
    public Response quota(QuotaExceededException e) {
        return Response.status(e.status()).type(Problem.MEDIA_TYPE).entity(QuotaProblem.of(e)).build();
    }
}
