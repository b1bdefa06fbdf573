package dev.berth.web;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The root address leads to the tenant list. It is a plain Vert.x route for exactly "/" because a REST resource
 * at "/" would claim every unmatched path (static files included) for itself.
 */
@ApplicationScoped
public class WebRoutes {
    void register(@Observes Router router) {
        router.get("/").handler(rc -> rc.response().setStatusCode(303).putHeader("Location", "/tenants").end());
    }
}
