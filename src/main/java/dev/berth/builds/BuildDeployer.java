package dev.berth.builds;

import dev.berth.api.ApiException;
import dev.berth.apps.AppRequests;
import dev.berth.apps.AppService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;

/**
 * Deploys a successful build: the app's image becomes the pushed image, pinned by digest, through the same
 * service path (validation, quota, audit, reconcile) as a change made by a person. The change is recorded as
 * made by whoever requested the build. A failed build never gets here, so the running version keeps serving.
 */
@ApplicationScoped
public class BuildDeployer {
    @Inject
    AppService apps;
    @Inject
    CurrentIdentityAssociation identity;

    @ActivateRequestContext
    void deploy(BuildRunner.Job job, String pinnedImage, BuildLog.Writer log) {
        identity.setIdentity(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(job.requestedBy())).build());
        try {
            apps.update(job.tenantId(), job.tenant(), job.app(),
                    new AppRequests.Update(pinnedImage, null, null, null, null, null, null, null, null));
            log.line("Deploying " + pinnedImage + " to app " + job.app() + ".");
        } catch (ApiException e) {
            log.line("*** The image was built but not deployed: " + e.getMessage());
        }
    }
}
