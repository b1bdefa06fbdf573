package dev.berth.processes;

import dev.berth.api.ApiException;
import dev.berth.api.FieldError;
import dev.berth.apps.AppRequests;
import dev.berth.apps.ProcessSpec;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The app's processes on the portal: the card's live part (processes and recent runs with state and exit code),
 * a page to add, change or remove a worker or cron and set the release command, a form to run a command once, and
 * a page per run with its log. Every form carries the CSRF token; a refused form comes back with its values and
 * the errors next to the fields.
 */
@Path("/t/{tenant}/apps/{app}")
@Produces(MediaType.TEXT_HTML)
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class ProcessPages {
    static final List<String> FIELDS = List.of("name", "type", "command", "replicas", "schedule", "concurrencyPolicy",
            "cpuRequest", "memoryRequest");
    @Inject
    TenantContext tenant;
    @Inject
    ProcessService processes;
    @Inject
    RunService runs;
    @Inject
    RunLogs logs;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance status(String tenant, String app, ProcessesView view, List<RunView> runs);

        static native TemplateInstance edit(String tenant, String app, ProcessesView view, List<RunView> runs,
                Form form, Form command, Form run, boolean canEdit);

        static native TemplateInstance run(String tenant, String app, RunView run, String log);
    }

    @GET
    @Path("processes/status")
    public TemplateInstance status(@PathParam("tenant") String slug, @PathParam("app") String app) {
        return Templates.status(tenant.slug(), app, processes.get(tenant.tenantId(), app),
                runs.recent(tenant.tenantId(), app, 5));
    }

    @GET
    @Path("processes")
    public TemplateInstance edit(@PathParam("tenant") String slug, @PathParam("app") String app) {
        ProcessesView view = processes.get(tenant.tenantId(), app);
        return page(app, view, Form.of(Map.of("type", "worker", "replicas", "1")), commandForm(view), Form.empty());
    }

    /** Adds a process, or replaces the one of the same name. */
    @POST
    @Path("processes")
    public Response save(@PathParam("tenant") String slug, @PathParam("app") String app, @RestForm("name") String name,
            @RestForm("type") String type, @RestForm("command") String command, @RestForm("replicas") String replicas,
            @RestForm("schedule") String schedule, @RestForm("concurrencyPolicy") String policy,
            @RestForm("cpuRequest") String cpu, @RestForm("memoryRequest") String memory) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("name", name);
        values.put("type", type);
        values.put("command", command);
        values.put("replicas", replicas);
        values.put("schedule", schedule);
        values.put("concurrencyPolicy", policy);
        values.put("cpuRequest", cpu);
        values.put("memoryRequest", memory);
        ProcessesView view = processes.get(tenant.tenantId(), app);
        List<ProcessRequest> list = new ArrayList<>(view.processes());
        boolean cron = ProcessSpec.CRON.equals(type);
        ProcessRequest p;
        int index;
        try {
            AppRequests.Resources resources = blank(cpu) && blank(memory) ? null
                    : new AppRequests.Resources(blank(cpu) ? null : cpu.trim(), null, blank(memory) ? null : memory.trim(),
                            null);
            p = new ProcessRequest(name == null ? null : name.trim(), type, argv(command), null,
                    cron ? null : number("replicas", replicas), resources, cron ? schedule : null,
                    cron && !blank(policy) ? policy : null, null, null);
            index = indexOf(list, p.name());
            if (index < 0) {
                list.add(p);
                index = list.size() - 1;
            } else {
                // A changed process keeps its own resources unless the form sets them.
                ProcessRequest old = list.get(index);
                list.set(index, resources == null ? withResources(p, old.resources()) : p);
            }
            processes.set(tenant.tenantId(), tenant.slug(), app, new ProcessesRequest(list, view.releaseCommand()));
            return done(app, "process-saved");
        } catch (ApiException e) {
            Form form = new Form(values, unprefixed(e.errors(), "processes[" + indexOfName(list, name) + "]."),
                    e.getMessage());
            return HtmlErrors.refused(e, page(app, view, form, commandForm(view), Form.empty()));
        }
    }

    @POST
    @Path("processes/remove")
    public Response remove(@PathParam("tenant") String slug, @PathParam("app") String app,
            @RestForm("name") String name) {
        ProcessesView view = processes.get(tenant.tenantId(), app);
        List<ProcessRequest> list = new ArrayList<>(view.processes());
        if (!list.removeIf(p -> p.name().equals(name))) {
            throw ApiException.notFound("process", name);
        }
        processes.set(tenant.tenantId(), tenant.slug(), app, new ProcessesRequest(list, view.releaseCommand()));
        return done(app, "process-removed");
    }

    @POST
    @Path("processes/release-command")
    public Response releaseCommand(@PathParam("tenant") String slug, @PathParam("app") String app,
            @RestForm("releaseCommand") String command) {
        ProcessesView view = processes.get(tenant.tenantId(), app);
        try {
            processes.set(tenant.tenantId(), tenant.slug(), app, new ProcessesRequest(view.processes(), argv(command)));
            return done(app, "release-command-saved");
        } catch (ApiException e) {
            Form form = Form.of(Map.of("releaseCommand", command == null ? "" : command)).failed(e);
            return HtmlErrors.refused(e, page(app, view, Form.of(Map.of("type", "worker")), form, Form.empty()));
        }
    }

    @POST
    @Path("runs")
    public Response run(@PathParam("tenant") String slug, @PathParam("app") String app,
            @RestForm("command") String command, @RestForm("region") String region) {
        try {
            RunView v = runs.start(tenant.tenantId(), tenant.slug(), app, new RunRequest(argv(command),
                    blank(region) ? null : region.trim()));
            return Response.seeOther(URI.create("/t/" + tenant.slug() + "/apps/" + app + "/runs/" + v.id())).build();
        } catch (ApiException e) {
            ProcessesView view = processes.get(tenant.tenantId(), app);
            Map<String, String> values = new LinkedHashMap<>();
            values.put("command", command == null ? "" : command);
            values.put("region", region == null ? "" : region);
            return HtmlErrors.refused(e, page(app, view, Form.of(Map.of("type", "worker")), commandForm(view),
                    Form.of(values).failed(e)));
        }
    }

    @GET
    @Path("runs/{id}")
    public TemplateInstance runPage(@PathParam("tenant") String slug, @PathParam("app") String app,
            @PathParam("id") String id) {
        long n = id(id);
        return Templates.run(tenant.slug(), app, runs.get(tenant.tenantId(), app, n),
                logs.log(tenant.tenantId(), tenant.slug(), app, n));
    }

    private TemplateInstance page(String app, ProcessesView view, Form form, Form command, Form run) {
        return Templates.edit(tenant.slug(), app, view, runs.recent(tenant.tenantId(), app, 20), form, command, run,
                tenant.role().atLeast(Role.DEVELOPER));
    }

    private static Form commandForm(ProcessesView view) {
        return Form.of(Map.of("releaseCommand", view.releaseCommand() == null ? ""
                : String.join(" ", view.releaseCommand())));
    }

    private Response done(String app, String flash) {
        return Response.seeOther(URI.create("/t/" + tenant.slug() + "/apps/" + app + "?ok=" + flash + "#processes"))
                .build();
    }

    /**
     * A command typed in a form, as an argv: one argument per line when it has several lines (so arguments may hold
     * spaces), else split at whitespace. Blank is no command.
     */
    static List<String> argv(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.replace("\r", "").strip();
        return t.contains("\n") ? Arrays.stream(t.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList()
                : Arrays.asList(t.split("\\s+"));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static Integer number(String field, String text) {
        if (blank(text)) {
            return null;
        }
        try {
            return Integer.valueOf(text.trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalid(field, "must be a whole number");
        }
    }

    private static int indexOf(List<ProcessRequest> list, String name) {
        for (int i = 0; i < list.size(); i++) {
            if (java.util.Objects.equals(list.get(i).name(), name)) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfName(List<ProcessRequest> list, String name) {
        int i = indexOf(list, name == null ? "" : name.trim());
        return i < 0 ? list.size() - 1 : i;
    }

    private static ProcessRequest withResources(ProcessRequest p, AppRequests.Resources r) {
        return new ProcessRequest(p.name(), p.type(), p.command(), p.args(), p.replicas(), r, p.schedule(),
                p.concurrencyPolicy(), p.successfulJobsHistoryLimit(), p.failedJobsHistoryLimit());
    }

    /** The API's field names ({@code processes[2].schedule}) as the form's ({@code schedule}). */
    static List<FieldError> unprefixed(List<FieldError> errors, String prefix) {
        return errors.stream().map(e -> e.field() != null && e.field().startsWith(prefix)
                ? new FieldError(e.field().substring(prefix.length()).replace("resources.", ""), e.message()) : e)
                .toList();
    }

    private static long id(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("run", id);
        }
    }

    @ServerExceptionMapper
    Response html(ApiException e) {
        return HtmlErrors.page(e);
    }
}
