package dev.berth.testsupport;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Every JAX-RS route of the application, pages and webhooks included, read from the compiled resource classes: the
 * OpenAPI document describes the JSON API only, so tests that must see every route (quota classification) read
 * them here. Paths are written as in OpenAPI ({@code {name}}, without regular expressions).
 */
public final class Routes {
    private static final Map<Class<? extends Annotation>, String> METHODS = Map.of(GET.class, "get", POST.class, "post",
            PUT.class, "put", PATCH.class, "patch", DELETE.class, "delete", HEAD.class, "head");

    private Routes() {
    }

    /** Path to the lower-case HTTP methods it answers, like the "paths" object of an OpenAPI document. */
    public static Map<String, java.util.Set<String>> all() {
        Map<String, java.util.Set<String>> routes = new TreeMap<>();
        java.nio.file.Path classes = Paths.get("target/classes");
        try (Stream<java.nio.file.Path> files = Files.walk(classes.resolve("dev/berth"))) {
            files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$")).forEach(f -> {
                String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> c;
                try {
                    c = Class.forName(name, false, Routes.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    return;
                }
                Path root = c.getAnnotation(Path.class);
                if (root != null) {
                    collect(c, root.value(), routes);
                }
            });
        } catch (IOException e) {
            throw new AssertionError("cannot list the compiled classes", e);
        }
        return routes;
    }

    private static void collect(Class<?> c, String base, Map<String, java.util.Set<String>> routes) {
        for (Method m : c.getMethods()) {
            Path sub = m.getAnnotation(Path.class);
            String path = normalize(base + (sub == null ? "" : "/" + sub.value()));
            for (Map.Entry<Class<? extends Annotation>, String> http : METHODS.entrySet()) {
                if (m.isAnnotationPresent(http.getKey())) {
                    routes.computeIfAbsent(path, k -> new TreeSet<>()).add(http.getValue());
                }
            }
        }
    }

    static String normalize(String path) {
        String p = path.replaceAll("\\{\\s*(\\w+)\\s*:[^}]*}", "{$1}").replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
