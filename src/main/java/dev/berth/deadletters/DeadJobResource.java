package dev.berth.deadletters;

import dev.berth.identity.Role;
import dev.berth.jobs.DeadJob;
import dev.berth.jobs.DeadLetter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The job queues' dead letters for platform admins (docs/architecture.md, "Job queue"): the builds, rollouts and
 * notification deliveries that failed too often, with their last error, and a retry that puts one back into its
 * queue through its feature's rules, or says with a 409 why it cannot.
 */
@Path("/api/v1/admin/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.PLATFORM_ADMIN)
@Tag(name = "Job queues")
public class DeadJobResource {
    @Inject
    DeadLetters letters;

    /** The answer to a retry: the job and what was done. */
    public record RetriedJob(String queue, long id, String tenant, String app, String summary) {
    }

    @GET
    @Path("dead")
    @Operation(summary = "Jobs in the dead letter, most recently dead first: queue, id, tenant, last error, "
            + "attempts, dead since (platform admins)", description = "At most 200 per queue; `queue` narrows the "
                    + "list to one of `builds`, `rollouts`, `notifications`.")
    public List<DeadJob> dead(@Parameter(schema = @Schema(type = SchemaType.STRING,
            enumeration = {"builds", "rollouts", "notifications"})) @QueryParam("queue") String queue) {
        return letters.list(queue);
    }

    @POST
    @Path("{queue}/{id}/retry")
    @Operation(summary = "Take a dead job out of the dead letter and queue it again (platform admins)",
            description = "A dead rollout is due again in its state; a dead delivery is pending again with a fresh "
                    + "retry schedule; a dead build is final, so a new build of the same commit is queued. A job that "
                    + "cannot run again (a rollout superseded by a newer release, an app without its repository) is "
                    + "refused with 409.")
    @APIResponse(responseCode = "200", description = "Queued again",
            content = @Content(schema = @Schema(implementation = RetriedJob.class)))
    @APIResponse(responseCode = "404", description = "No such queue, or no such job in its dead letter")
    @APIResponse(responseCode = "409", description = "The job cannot be retried; the detail says why")
    public RetriedJob retry(@Parameter(schema = @Schema(type = SchemaType.STRING,
            enumeration = {"builds", "rollouts", "notifications"})) @PathParam("queue") String queue,
            @PathParam("id") String id) {
        DeadLetter.Retried r = letters.retry(queue, id);
        return new RetriedJob(queue, Long.parseLong(id), r.tenant(), r.app(), r.summary());
    }
}
