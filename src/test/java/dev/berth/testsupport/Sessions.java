package dev.berth.testsupport;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real browser session of the local form login: the session cookie from {@code /j_security_check} and the CSRF
 * cookie and token of a page. Requests made with it are authenticated by the cookie, as a browser's are (tests that
 * use it must not run under {@code @TestSecurity}).
 */
public record Sessions(String session, String csrfCookie, String csrfToken) {
    public static final String SESSION_COOKIE = "quarkus-credential";
    public static final String CSRF = "csrf-token";
    private static final Pattern META = Pattern.compile("<meta name=\"csrf-token\" content=\"([^\"]+)\"");
    private static final Pattern FIELD = Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"");

    /** Signs in as {@code user} (password = user name, the embedded example users) and loads {@code page}. */
    public static Sessions login(String user, String page) {
        Response login = given().redirects().follow(false).formParam("j_username", user)
                .formParam("j_password", user).post("/j_security_check");
        if (login.statusCode() != 302 || login.getCookie(SESSION_COOKIE) == null) {
            throw new AssertionError("login as " + user + " failed: " + login.statusCode());
        }
        String session = login.getCookie(SESSION_COOKIE);
        Response r = given().redirects().follow(false).cookie(SESSION_COOKIE, session).get(page);
        r.then().statusCode(200);
        Matcher m = META.matcher(r.asString());
        if (!m.find()) {
            m = FIELD.matcher(r.asString()); // the token of the page's forms, the same value
            if (!m.find()) {
                throw new AssertionError("no CSRF token on " + page);
            }
        }
        return new Sessions(session, r.getCookie(CSRF), m.group(1));
    }

    /** Carries the session and CSRF cookies, but no token: what a forged cross-site request carries. */
    public RequestSpecification cookiesOnly() {
        RequestSpecification spec = given().redirects().follow(false).cookie(SESSION_COOKIE, session);
        return csrfCookie == null ? spec : spec.cookie(CSRF, csrfCookie);
    }

    /** Cookies plus the token in the X-CSRF-Token header, as the portal's own scripts send it. */
    public RequestSpecification withToken() {
        return cookiesOnly().header("X-CSRF-Token", csrfToken);
    }
}
