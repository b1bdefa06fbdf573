package dev.berth.probe;

import io.quarkus.resteasy.reactive.server.runtime.ResteasyReactiveRecorder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.core.Deployment;
import org.jboss.resteasy.reactive.server.handlers.ClassRoutingHandler;
import org.jboss.resteasy.reactive.server.handlers.RestInitialHandler;
import org.jboss.resteasy.reactive.server.mapping.RequestMapper;
import org.jboss.resteasy.reactive.server.mapping.RuntimeResource;
import org.jboss.resteasy.reactive.server.spi.ServerRestHandler;

/**
 * The application's page routes, read from the running REST deployment's own route table (the class mappers and
 * the per-method mappers that dispatch every request), so a page added later is probed without a list to keep.
 * Pages are every route outside {@code /api}, {@code /q} and {@code /hooks}.
 */
final class PageRoutes {
    /** One route: method and template with path parameters as {@code {name}} (regular expressions dropped). */
    record Route(String method, String template) {
        boolean read() {
            return method.equals("GET");
        }

        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    private PageRoutes() {
    }

    static List<Route> pages() {
        Deployment deployment = ResteasyReactiveRecorder.getCurrentDeployment();
        if (deployment == null) {
            throw new AssertionError("no REST deployment is running");
        }
        List<Route> routes = new ArrayList<>();
        for (RequestMapper.RequestPath<RestInitialHandler.InitialMatch> cls : deployment.getClassMappers()) {
            for (ServerRestHandler h : cls.value.handlers) {
                if (h instanceof ClassRoutingHandler routing) {
                    for (Map.Entry<String, RequestMapper<RuntimeResource>> byMethod : routing.getMappers().entrySet()) {
                        for (RequestMapper.RequestPath<RuntimeResource> m : byMethod.getValue().getTemplates()) {
                            RuntimeResource r = m.value;
                            String path = join(cls.template.template, r.getPath() == null ? "" : r.getPath().template);
                            routes.add(new Route(r.getHttpMethod() == null ? byMethod.getKey() : r.getHttpMethod(),
                                    path));
                        }
                    }
                }
            }
        }
        return routes.stream().filter(r -> !r.template().startsWith("/api/") && !r.template().startsWith("/q/")
                && !r.template().startsWith("/hooks/")).distinct()
                .sorted(Comparator.comparing(Route::template).thenComparing(Route::method)).toList();
    }

    private static String join(String classPath, String methodPath) {
        String p = (classPath + "/" + methodPath).replaceAll("/+", "/");
        p = p.replaceAll("\\{\\s*([A-Za-z0-9_]+)\\s*:[^}]*}", "{$1}");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
