package dev.berth.security;

import dev.berth.identity.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The platform security log as JSON, for platform admins. */
@Path("/api/v1/security-events")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.PLATFORM_ADMIN)
@Tag(name = "Security log")
public class SecurityLogResource {
    @Inject
    SecurityLog log;

    @GET
    @Operation(summary = "Refused requests by strangers, newest first; filter by source address (platform admins)")
    public List<SecurityEventView> list(@QueryParam("source") String source, @QueryParam("limit") Integer limit) {
        return log.newest(source, limit == null ? 100 : limit);
    }
}
