package dev.berth.web;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Posts HTML forms the way a browser does: first loads the page that holds the form, then sends the form fields
 * with the CSRF token from the page and the CSRF cookie from the response.
 */
public final class PageForms {
    static final String CSRF = "csrf-token";
    private static final Pattern TOKEN = Pattern.compile("name=\"" + CSRF + "\" value=\"([^\"]+)\"");

    private final String token;
    private final String cookie;

    private PageForms(String token, String cookie) {
        this.token = token;
        this.cookie = cookie;
    }

    /** Loads the page and keeps its CSRF token and cookie. */
    public static PageForms from(String page) {
        Response r = given().redirects().follow(false).get(page);
        r.then().statusCode(200);
        Matcher m = TOKEN.matcher(r.asString());
        if (!m.find()) {
            throw new AssertionError("no CSRF token in the form on " + page);
        }
        String cookie = r.getCookie(CSRF);
        if (cookie == null) {
            throw new AssertionError("no CSRF cookie set by " + page);
        }
        return new PageForms(m.group(1), cookie);
    }

    /** A form post carrying the token; the caller adds the fields. Redirects are not followed. */
    public RequestSpecification post() {
        return given().redirects().follow(false).cookie(CSRF, cookie).formParam(CSRF, token);
    }
}
