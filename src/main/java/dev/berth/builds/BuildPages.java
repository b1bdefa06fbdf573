package dev.berth.builds;

import dev.berth.api.ApiException;
import dev.berth.builds.run.BuildLog;
import dev.berth.builds.source.SourceRequest;
import dev.berth.builds.source.SourceService;
import dev.berth.builds.source.SourceView;
import dev.berth.builds.source.WebhookSetup;
import dev.berth.identity.CurrentUser;
import dev.berth.identity.Role;
import dev.berth.identity.TenantContext;
import dev.berth.ui.Form;
import dev.berth.ui.HtmlErrors;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * An app's builds in the browser: the repository form (credentials are write-only), webhook setup per Git host,
 * the build list with a "Build now" button, and a build's page whose log follows the build live.
 */
@Path("/t/{tenant}/apps/{app}/builds")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class BuildPages {
    private static final Map<String, String> FLASH = Map.of(
            "source-saved", "Repository saved. Credentials are stored encrypted and not shown again.",
            "build-queued", "Build queued.",
            "build-cancelled", "Cancel requested.",
            "webhook-rotated", "New webhook secret: update it on your Git host.");

    @Inject
    TenantContext tenant;
    @Inject
    CurrentUser user;
    @Inject
    SourceService sources;
    @Inject
    BuildService builds;
    @Inject
    WebhookSetup webhooks;
    @Inject
    BuildLog logs;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance list(String tenant, String app, SourceView source, Form form,
                WebhookSetup.Instructions webhook, List<BuildView> builds, boolean canEdit, String flash);

        static native TemplateInstance build(String tenant, String app, BuildView build, String log, boolean canEdit,
                String flash);
    }

    @GET
    public TemplateInstance list(@PathParam("tenant") String slug, @PathParam("app") String app,
            @QueryParam("ok") String ok, @Context UriInfo uri) {
        return page(app, null, ok == null ? null : FLASH.get(ok), uri);
    }

    @POST
    @Path("source")
    public Response saveSource(@PathParam("tenant") String slug, @PathParam("app") String app,
            @RestForm String repoUrl, @RestForm String ref, @RestForm String subDirectory, @RestForm String dockerfile,
            @RestForm String buildArgs, @RestForm String username, @RestForm String token,
            @RestForm String sshPrivateKey, @RestForm String sshKnownHosts, @RestForm String resetHostKey,
            @Context UriInfo uri) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("repoUrl", repoUrl);
        values.put("ref", ref);
        values.put("subDirectory", subDirectory);
        values.put("dockerfile", dockerfile);
        values.put("buildArgs", buildArgs);
        values.put("username", username);
        values.put("sshKnownHosts", sshKnownHosts);
        try {
            sources.put(tenant.tenantId(), tenant.slug(), app, new SourceRequest(repoUrl, ref, subDirectory, dockerfile,
                    parseArgs(buildArgs), blank(username), blank(token), blank(sshPrivateKey), null,
                    blank(sshKnownHosts), resetHostKey != null && !resetHostKey.isBlank()));
            return done(app, "", "source-saved");
        } catch (ApiException e) {
            return HtmlErrors.refused(e, page(app, Form.of(values).failed(e), null, uri));
        }
    }

    @POST
    public Response buildNow(@PathParam("tenant") String slug, @PathParam("app") String app,
            @RestForm String commitSha, @Context UriInfo uri) {
        try {
            BuildView b = builds.request(tenant.tenantId(), tenant.slug(), app, blank(commitSha), "ui", user.subject());
            return done(app, "/" + b.number(), "build-queued");
        } catch (ApiException e) {
            return HtmlErrors.refused(e, page(app, Form.empty().failed(e), null, uri));
        }
    }

    @POST
    @Path("webhook/rotate")
    public Response rotate(@PathParam("tenant") String slug, @PathParam("app") String app) {
        sources.rotateWebhookSecret(tenant.tenantId(), tenant.slug(), app);
        return done(app, "", "webhook-rotated");
    }

    @GET
    @Path("{number}")
    public TemplateInstance build(@PathParam("tenant") String slug, @PathParam("app") String app,
            @PathParam("number") int number, @QueryParam("ok") String ok) {
        BuildView b = builds.get(tenant.tenantId(), app, number);
        StringBuilder log = new StringBuilder();
        logs.read(builds.id(tenant.tenantId(), app, number), 0, 200_000).forEach(l -> log.append(l.text()).append('\n'));
        return Templates.build(tenant.slug(), app, b, log.toString(), tenant.role().atLeast(Role.DEVELOPER),
                ok == null ? null : FLASH.get(ok));
    }

    @POST
    @Path("{number}/cancel")
    public Response cancel(@PathParam("tenant") String slug, @PathParam("app") String app,
            @PathParam("number") int number) {
        builds.cancel(tenant.tenantId(), tenant.slug(), app, number);
        return done(app, "/" + number, "build-cancelled");
    }

    private TemplateInstance page(String app, Form form, String flash, UriInfo uri) {
        SourceService.app(tenant.tenantId(), app);
        boolean canEdit = tenant.role().atLeast(Role.DEVELOPER);
        SourceView source = null;
        WebhookSetup.Instructions webhook = null;
        try {
            source = sources.get(tenant.tenantId(), app);
            webhook = canEdit ? webhooks.instructions(tenant.tenantId(), tenant.slug(), app, uri.getBaseUri().toString())
                    : null;
        } catch (ApiException e) {
            // no repository connected yet
        }
        Form f = form;
        if (f == null) {
            Map<String, String> values = new LinkedHashMap<>();
            if (source != null) {
                values.put("repoUrl", source.repoUrl());
                values.put("ref", source.ref());
                values.put("subDirectory", source.subDirectory() == null ? "" : source.subDirectory());
                values.put("dockerfile", source.dockerfile());
                values.put("buildArgs", formatArgs(source.buildArgs()));
                values.put("username", source.username() == null ? "" : source.username());
                values.put("sshKnownHosts", source.sshKnownHosts() == null ? "" : source.sshKnownHosts());
            } else {
                values.put("ref", "main");
                values.put("dockerfile", "Dockerfile");
            }
            f = Form.of(values);
        }
        return Templates.list(tenant.slug(), app, source, f, webhook, builds.list(tenant.tenantId(), app, 50), canEdit,
                flash);
    }

    /** Build arguments as one {@code NAME=value} per line. */
    static Map<String, String> parseArgs(String text) {
        Map<String, String> args = new TreeMap<>();
        if (text == null) {
            return args;
        }
        for (String line : text.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw ApiException.invalid("buildArgs", "write one NAME=value per line ('" + line.strip() + "' has no '=')");
            }
            args.put(line.substring(0, eq).strip(), line.substring(eq + 1));
        }
        return args;
    }

    private static String formatArgs(Map<String, String> args) {
        StringBuilder sb = new StringBuilder();
        args.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private Response done(String app, String suffix, String flash) {
        return Response.seeOther(URI.create("/t/" + tenant.slug() + "/apps/" + app + "/builds" + suffix + "?ok=" + flash))
                .build();
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
