package dev.berth.releases;

import dev.berth.api.ApiException;
import dev.berth.identity.Role;
import dev.berth.identity.TenantContext;
import dev.berth.ui.HtmlErrors;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The releases part of an app's page: the live rollout (ready pods per colour or track and region, problems in
 * plain words, promote / abort / switch back) and the release history with a rollback button per release. The app
 * page loads it into a card and refreshes it every 2 seconds, like the status part.
 */
@Path("/t/{tenant}/apps/{app}/releases")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class ReleasePages {
    static final int SHOWN = 20;
    @Inject
    TenantContext tenant;
    @Inject
    ReleaseService releases;
    @Inject
    Rollouts rollouts;
    @Inject
    RolloutViews views;
    @Inject
    RegionRollouts regionRollouts;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance panel(String tenant, String app, RolloutView rollout,
                List<ReleaseView> releases, boolean canEdit);

        /** The same part as a page of its own, for a browser that follows the app page's link without scripts. */
        static native TemplateInstance page(String tenant, String app, RolloutView rollout,
                List<ReleaseView> releases, boolean canEdit);

        static native TemplateInstance regions(RegionRolloutView view);
    }

    /**
     * The part alone when the app page's script asks for it ({@code X-Berth-Fragment}); otherwise a whole page with
     * the layout and its stylesheet, so the link the app page offers without JavaScript shows a styled page.
     */
    @GET
    public TemplateInstance panel(@PathParam("tenant") String slug, @PathParam("app") String app,
            @HeaderParam("X-Berth-Fragment") String fragment) {
        RolloutView rollout = views.current(tenant.tenantId(), tenant.slug(), app);
        List<ReleaseView> list = releases.list(tenant.tenantId(), app, SHOWN);
        boolean canEdit = tenant.role().atLeast(Role.DEVELOPER);
        return fragment != null ? Templates.panel(tenant.slug(), app, rollout, list, canEdit)
                : Templates.page(tenant.slug(), app, rollout, list, canEdit);
    }

    /** The app page's regions part: per region what it serves, the waves, rollout progress and health. */
    @GET
    @Path("regions")
    public TemplateInstance regions(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return Templates.regions(regionRollouts.view(tenant.tenantId(), tenant.slug(), app));
    }

    @POST
    @Path("{number: [0-9]+}/rollback")
    public Response rollback(@PathParam("tenant") String slug, @PathParam("app") String app,
            @PathParam("number") int number) {
        boolean created = releases.rollback(tenant.tenantId(), tenant.slug(), app, number).created();
        return back(app, created ? "rolled-back" : "nothing-to-do");
    }

    @POST
    @Path("promote")
    public Response promote(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return back(app, outcome(rollouts.promote(tenant.tenantId(), tenant.slug(), app), "promoted"));
    }

    @POST
    @Path("abort")
    public Response abort(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return back(app, outcome(rollouts.abort(tenant.tenantId(), tenant.slug(), app), "aborted"));
    }

    @POST
    @Path("switch-back")
    public Response switchBack(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return back(app, outcome(rollouts.switchBack(tenant.tenantId(), tenant.slug(), app), "switched-back"));
    }

    private static String outcome(Rollouts.Action a, String done) {
        return a == Rollouts.Action.STARTED ? done : "nothing-to-do";
    }

    private Response back(String app, String flash) {
        return Response.seeOther(URI.create("/t/" + tenant.slug() + "/apps/" + app + "?ok=" + flash)).build();
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
