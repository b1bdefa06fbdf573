package dev.berth.ui;

import dev.berth.api.ApiException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Renders errors of page requests as HTML pages instead of problem JSON: a tenant the caller may not see (404),
 * a missing role (403), a missing app. Page controllers route their {@link ApiException}s here through a
 * class-local exception mapper, so the JSON mapping of {@code /api} stays untouched.
 */
public final class HtmlErrors {
    private HtmlErrors() {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance error(int status, String title, String message);
    }

    public static Response page(ApiException e) {
        String message = e.status() == 404 ? "It does not exist, or you are not a member of the tenant it belongs to."
                : e.getMessage();
        return Response.status(e.status()).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(Templates.error(e.status(), e.title(), message).render()).build();
    }

    /** A page re-rendered after a refused form post: the status of the error, the page as HTML. */
    public static Response refused(ApiException e, TemplateInstance page) {
        return Response.status(e.status()).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(page.render()).build();
    }
}
