package dev.berth.web;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Adds the browser security headers to every HTTP response: pages, static files, the API, and the responses the
 * security layer sends itself (login redirects, 401s). It is the first Vert.x route of the router and sets the
 * headers when the response's headers are written, so no later handler can leave them out. The CSP forbids
 * inline scripts and styles: the pages use one static CSS and one static JS file. Everything but static files is
 * {@code Cache-Control: no-store}, and HSTS keeps browsers on HTTPS once they have seen it there.
 */
@ApplicationScoped
public class SecurityHeaders {
    static final String CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
    /** Swagger UI and the dev UI ship inline scripts; they keep the other headers but not the strict policy. */
    private static final String SWAGGER = "/q/swagger-ui";
    private static final String DEV_UI = "/q/dev-ui";

    /** Browsers honour HSTS only over HTTPS, so it is sent always; a year, subdomains included. */
    static final String HSTS = "max-age=31536000; includeSubDomains";

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(rc -> {
            String path = rc.normalizedPath();
            boolean strict = !path.startsWith(SWAGGER) && !path.startsWith(DEV_UI);
            boolean cacheable = path.startsWith("/static/") || path.equals("/favicon.ico") || path.startsWith(SWAGGER);
            rc.addHeadersEndHandler(ignored -> {
                MultiMap h = rc.response().headers();
                if (strict) {
                    h.set("Content-Security-Policy", CSP);
                }
                // Pages and API answers are per person and may carry secrets (a new API token, a webhook secret):
                // no browser or proxy cache keeps them.
                if (!cacheable) {
                    h.set("Cache-Control", "no-store");
                }
                h.set("Strict-Transport-Security", HSTS);
                h.set("X-Content-Type-Options", "nosniff");
                h.set("Referrer-Policy", "same-origin");
                h.set("X-Frame-Options", "DENY");
            });
            rc.next();
        });
    }
}
