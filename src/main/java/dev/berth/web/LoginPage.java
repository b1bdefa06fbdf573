package dev.berth.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The local development login (Quarkus form authentication posting to {@code /j_security_check}). It is public
 * and plainly marked as development-only; in production the OIDC code flow signs people in and this page only
 * points there.
 */
@Path("/login")
@Produces(MediaType.TEXT_HTML)
public class LoginPage {
    @ConfigProperty(name = "berth.identity.dev-login", defaultValue = "false")
    boolean devLogin;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance login(boolean failed, boolean devLogin);
    }

    @GET
    public TemplateInstance login(@QueryParam("error") String error) {
        return Templates.login(error != null, devLogin);
    }
}
