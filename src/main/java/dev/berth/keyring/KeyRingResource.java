package dev.berth.keyring;

import dev.berth.audit.AuditLog;
import dev.berth.identity.Role;
import dev.berth.secrets.SecretBox;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The key ring that seals stored secrets, for platform admins: which keys seal how many values, and re-sealing
 * every value with the current key (docs/security.md, "Rotating the secrets key").
 */
@Path("/api/v1/secret-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.PLATFORM_ADMIN)
@Tag(name = "Secret keys")
public class KeyRingResource {
    @Inject
    Resealing resealing;
    @Inject
    SecretBox box;
    @Inject
    AuditLog audit;

    @GET
    @Operation(summary = "The key ring: key ids, the current one, stored sealed values per key (platform admins)")
    public KeyRingView get() {
        return resealing.view();
    }

    @POST
    @Path("reseal")
    @Operation(summary = "Re-seal every stored secret with the current key, in the background; idempotent, run it "
            + "again to resume (platform admins)")
    @Transactional
    public Response reseal() {
        audit.record(null, null, null, "secrets.reseal", "re-sealing stored secrets with the key "
                + box.ring().currentId(), null);
        resealing.start();
        return Response.accepted(resealing.view()).build();
    }
}
