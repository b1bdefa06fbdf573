package dev.berth.probe;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;

import dev.berth.probe.Probe.Identity;
import dev.berth.testsupport.Users;
import io.restassured.response.Response;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Browser sessions for the page probes: the local login's form (a real session cookie, no test identity), the
 * role of the member who logs in as each role of the target tenant, and a CSRF token as a form carries it.
 */
final class PageSessions {
    private static final Pattern TOKEN = Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"");
    private static String aliceRole;

    private PageSessions() {
    }

    /** A new world: alice is a viewer of its target tenant. */
    static void reset() {
        aliceRole = "viewer";
    }

    /** Logs in through the login form; the session cookie. */
    static String login(String user) {
        Users.actByCredentials();
        try {
            Response r = given().redirects().follow(false).formParam("j_username", user).formParam("j_password", user)
                    .post("/j_security_check");
            String cookie = r.getCookie("quarkus-credential");
            if (r.statusCode() != 302 || cookie == null) {
                throw new AssertionError("login as " + user + " failed: " + r.statusCode());
            }
            return cookie;
        } finally {
            Users.actAsAdmin();
        }
    }

    /** The CSRF cookie and form token of a page with a form, as {@code who} loads it. */
    static String[] csrf(String tenant, Identity who) {
        Response r = who.spec().accept("text/html").get("/t/" + tenant + "/tokens");
        Users.actAsAdmin();
        Matcher m = TOKEN.matcher(r.asString());
        if (r.statusCode() != 200 || !m.find() || r.getCookie("csrf-token") == null) {
            throw new AssertionError("no CSRF token on the tokens page: " + r.statusCode());
        }
        return new String[] {r.getCookie("csrf-token"), m.group(1)};
    }

    /**
     * The role identities of the target tenant are one login whose membership changes to the role probed; true
     * when it changed (the database then has a new baseline).
     */
    static boolean switchRole(ProbeWorld world, Identity who) {
        if (who.session() == null || !who.memberOfTarget() || who.name().equals("platform-admin")
                || who.name().equals(aliceRole)) {
            return false;
        }
        Users.actAsAdmin();
        json().body(Map.of("role", who.name())).put("/api/v1/tenants/" + world.a.tenant() + "/members/alice").then()
                .statusCode(200);
        aliceRole = who.name();
        return true;
    }
}
