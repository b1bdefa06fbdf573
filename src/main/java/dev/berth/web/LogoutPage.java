package dev.berth.web;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * Signs out of the local development login by dropping the form-authentication cookie. In production the OIDC
 * extension handles {@code /logout} itself (RP-initiated logout) before the request reaches this class.
 */
@Path("/logout")
public class LogoutPage {
    /** The cookie in which Quarkus form authentication keeps the signed-in session. */
    static final String FORM_AUTH_COOKIE = "quarkus-credential";

    @POST
    public Response logout() {
        NewCookie gone = new NewCookie.Builder(FORM_AUTH_COOKIE).path("/").maxAge(0).value("").httpOnly(true).build();
        return Response.seeOther(URI.create("/login")).cookie(gone).build();
    }
}
