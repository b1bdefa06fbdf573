package dev.berth.releases;

import dev.berth.identity.TenantContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Releases and rollouts of an app, for people and CI. Status codes say what happened: 202 a change was accepted
 * and the clusters are converging to it (follow {@code .../releases/rollout}), 200 or 204 nothing to do (the app
 * already runs that), 409 a conflict (a rollout is deciding, a plan is stale, the new colour is not ready yet).
 */
@Path("/api/v1/tenants/{tenant}/apps/{app}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Releases")
public class ReleaseResource {
    @Inject
    ReleaseService releases;
    @Inject
    Rollouts rollouts;
    @Inject
    RolloutViews views;
    @Inject
    TenantContext tenant;

    /**
     * A release from an image (CI); {@code source} says what produced it (commit, pipeline run);
     * {@code planFingerprint} (optional) applies a plan and is refused with 409 when it is stale.
     */
    public record CreateRelease(String image, String source, String planFingerprint) {
    }

    /** The deploy to plan: an image, or a rollback to release {@code rollbackTo}. */
    public record PlanRequest(String image, Integer rollbackTo) {
    }

    /** Optional body of a rollback: the fingerprint of the plan it applies. */
    public record ApplyPlan(String planFingerprint) {
    }

    @GET
    @Path("releases")
    @Operation(summary = "The app's releases, newest first", description = "`limit` releases (50 unless given, at"
            + " most 500). For the next page pass the `number` of the page's last release as `before`: it is read by"
            + " keyset, at the same cost at any depth.")
    public List<ReleaseView> list(@PathParam("tenant") String t, @PathParam("app") String app,
            @QueryParam("limit") Integer limit, @QueryParam("before") Integer before) {
        return releases.list(tenant.tenantId(), app, limit == null ? 50 : Math.max(1, Math.min(500, limit)), before);
    }

    @POST
    @Path("releases")
    @Operation(summary = "Release an image with the app's current configuration: 202 rolling out, 200 already running it")
    public Response create(@PathParam("tenant") String t, @PathParam("app") String app, CreateRelease req) {
        if (req == null) {
            throw dev.berth.api.ApiException.invalid("body", "is required");
        }
        CreatedBy by = releases.origin();
        ReleaseService.Outcome o = releases.create(tenant.tenantId(), tenant.slug(), app, req.image(),
                new CreatedBy(by.kind(), by.actor(), req.source()), req.planFingerprint());
        return accepted(app, o);
    }

    @GET
    @Path("releases/{number: [0-9]+}")
    public ReleaseView get(@PathParam("tenant") String t, @PathParam("app") String app,
            @PathParam("number") int number) {
        return releases.get(tenant.tenantId(), app, number);
    }

    @POST
    @Path("releases/{number: [0-9]+}/rollback")
    @Operation(summary = "Roll back to a release: a new release from its snapshot; 202 rolling out, 200 already running it")
    public Response rollback(@PathParam("tenant") String t, @PathParam("app") String app,
            @PathParam("number") int number, ApplyPlan plan) {
        return accepted(app, releases.rollback(tenant.tenantId(), tenant.slug(), app, number,
                plan == null ? null : plan.planFingerprint()));
    }

    @POST
    @Path("releases/plan")
    @Operation(summary = "What a deploy (image or rollbackTo) would create, change (field by field) and delete per region")
    public PlanView plan(@PathParam("tenant") String t, @PathParam("app") String app, PlanRequest req) {
        if (req == null) {
            throw dev.berth.api.ApiException.invalid("body", "is required");
        }
        return releases.plan(tenant.tenantId(), tenant.slug(), app, req.image(), req.rollbackTo());
    }

    @GET
    @Path("releases/rollout")
    @Operation(summary = "The latest rollout with ready pods per colour/track and region, and problems in plain words")
    @APIResponse(responseCode = "200", description = "The latest rollout",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "204", description = "The app never had a rollout")
    public Response rollout(@PathParam("tenant") String t, @PathParam("app") String app) {
        RolloutView v = views.current(tenant.tenantId(), tenant.slug(), app);
        return v == null ? Response.noContent().build() : Response.ok(v).build();
    }

    @POST
    @Path("releases/promote")
    @Operation(summary = "Blue/green: switch to the ready colour; canary: make it stable. 202, 204 nothing waits, 409 not ready")
    public Response promote(@PathParam("tenant") String t, @PathParam("app") String app) {
        return action(app, rollouts.promote(tenant.tenantId(), tenant.slug(), app));
    }

    @POST
    @Path("releases/abort")
    @Operation(summary = "Stop a blue/green or canary release before it takes traffic. 202, 204 nothing in progress")
    public Response abort(@PathParam("tenant") String t, @PathParam("app") String app) {
        return action(app, rollouts.abort(tenant.tenantId(), tenant.slug(), app));
    }

    @POST
    @Path("releases/switch-back")
    @Operation(summary = "Blue/green: within the hold time, send traffic back to the previous colour. 202, 409 hold over")
    public Response switchBack(@PathParam("tenant") String t, @PathParam("app") String app) {
        return action(app, rollouts.switchBack(tenant.tenantId(), tenant.slug(), app));
    }

    @GET
    @Path("deploy-settings")
    public DeploySettings settings(@PathParam("tenant") String t, @PathParam("app") String app) {
        return releases.settings(tenant.tenantId(), app);
    }

    @PUT
    @Path("deploy-settings")
    @Operation(summary = "Choose the strategy (rolling, recreate, blue-green, canary) and its settings")
    public DeploySettings updateSettings(@PathParam("tenant") String t, @PathParam("app") String app,
            DeploySettings req) {
        return releases.updateSettings(tenant.tenantId(), tenant.slug(), app, req);
    }

    private Response accepted(String app, ReleaseService.Outcome o) {
        if (!o.created()) {
            return Response.ok(o.release()).build();
        }
        return Response.accepted(o.release()).location(URI.create("/api/v1/tenants/" + tenant.slug() + "/apps/" + app
                + "/releases/" + o.release().number())).build();
    }

    private Response action(String app, Rollouts.Action a) {
        if (a == Rollouts.Action.NOTHING_TO_DO) {
            return Response.noContent().build();
        }
        return Response.accepted(views.current(tenant.tenantId(), tenant.slug(), app)).build();
    }
}
