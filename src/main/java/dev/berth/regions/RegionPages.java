package dev.berth.regions;

import dev.berth.identity.CurrentUser;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * The regions page: every cluster with its health (reachable, or unreachable since when), latency and last sync,
 * and whether it is the simulated sandbox. Connection details and errors only for platform admins.
 */
@Path("/regions")
@Produces(MediaType.TEXT_HTML)
public class RegionPages {
    @Inject
    RegionService regions;
    @Inject
    CurrentUser user;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance regions(List<RegionView> regions, boolean admin);
    }

    @GET
    public TemplateInstance list() {
        boolean admin = user.isPlatformAdmin();
        return Templates.regions(regions.listWithHealth().stream().map(r -> RegionView.of(r, admin)).toList(), admin);
    }
}
