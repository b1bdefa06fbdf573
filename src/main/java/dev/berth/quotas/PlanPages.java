package dev.berth.quotas;

import dev.berth.api.ApiException;
import dev.berth.identity.CurrentUser;
import dev.berth.ui.HtmlErrors;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The plans page for platform admins: every plan with its limits, how many tenants are on it, and those tenants
 * (the first {@link #TENANTS_SHOWN} of each plan) with the limits they override. The tenant form's plan hint and a
 * tenant's quota card link here; plans themselves are changed through {@code /api/v1/plans}.
 */
@Path("/plans")
@Produces(MediaType.TEXT_HTML)
public class PlanPages {
    static final int TENANTS_SHOWN = 50;
    @Inject
    CurrentUser user;
    @Inject
    PlanService plans;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance plans(List<PlanView> plans, Map<String, List<PlanService.PlanTenant>> tenants,
                int shown);
    }

    @GET
    public TemplateInstance plans() {
        if (!user.isPlatformAdmin()) {
            throw ApiException.forbidden("only platform admins see the plans page");
        }
        return Templates.plans(plans.list(true), plans.tenantsByPlan(TENANTS_SHOWN), TENANTS_SHOWN);
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
