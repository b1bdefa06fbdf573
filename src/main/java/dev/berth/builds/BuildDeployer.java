package dev.berth.builds;

import dev.berth.api.ApiException;
import dev.berth.builds.run.BuildLog;
import dev.berth.releases.CreatedBy;
import dev.berth.releases.ReleaseService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Deploys a successful build: a new release of the app with the pushed image, pinned by digest, plus the app's
 * configuration at that moment, rolled out with the app's deployment strategy ({@link ReleaseService}). The release
 * and its audit entry name whoever requested the build. A failed build never gets here, so the current release
 * keeps serving.
 */
@ApplicationScoped
public class BuildDeployer {
    private static final Logger LOG = Logger.getLogger(BuildDeployer.class);
    @Inject
    ReleaseService releases;
    @Inject
    CurrentIdentityAssociation identity;

    @ActivateRequestContext
    void deploy(BuildRunner.Job job, String pinnedImage, BuildLog.Writer log) {
        identity.setIdentity(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(job.requestedBy())).build());
        try {
            ReleaseService.Outcome out = releases.create(job.tenantId(), job.tenant(), job.app(), pinnedImage,
                    CreatedBy.build(job.requestedBy(), "build #" + job.number()));
            log.line(out.created() ? "Release #" + out.release().number() + " of " + job.app() + " created with "
                    + pinnedImage + "; it rolls out with the app's deployment strategy."
                    : "The app already runs " + pinnedImage + "; no new release.");
        } catch (ApiException e) {
            log.line("*** The image was built but not released: " + e.getMessage());
        } catch (RuntimeException e) {
            // The build itself succeeded and stays so: its image is pushed and can be released by hand.
            LOG.errorf(e, "build #%d of %s/%s: creating its release failed", job.number(), job.tenant(), job.app());
            log.line("*** The image was built but not released (internal error: " + e.getClass().getSimpleName()
                    + "); release " + pinnedImage + " through the API or build again.");
        }
    }
}
