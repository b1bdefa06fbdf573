package dev.berth.web;

import dev.berth.identity.CurrentUser;
import dev.berth.identity.SessionRevocations;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * Signs out of the local development login: the session ends on the server ({@link SessionRevocations}, so a copy
 * of the cookie no longer works) and the browser drops the cookie. In production the OIDC extension handles
 * {@code /logout} itself (RP-initiated logout) before the request reaches this class.
 */
@Path("/logout")
public class LogoutPage {
    @Inject
    SessionRevocations sessions;
    @Inject
    CurrentUser user;

    /** The cookie in which Quarkus form authentication keeps the signed-in session. */
    static final String FORM_AUTH_COOKIE = "quarkus-credential";

    @POST
    public Response logout() {
        if (!user.isAnonymous() && user.token() == null) {
            sessions.signOut(user.name());
        }
        NewCookie gone = new NewCookie.Builder(FORM_AUTH_COOKIE).path("/").maxAge(0).value("").httpOnly(true).build();
        return Response.seeOther(URI.create("/login")).cookie(gone).build();
    }
}
