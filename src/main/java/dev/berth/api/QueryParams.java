package dev.berth.api;

import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.UriInfo;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.List;
import org.jboss.resteasy.reactive.RestQuery;

/** Finds which query parameter of a request could not be converted to the type its resource method declares. */
final class QueryParams {
    private QueryParams() {
    }

    /** The name of the first query parameter whose value does not convert, or null when there is none. */
    static String unconvertible(ResourceInfo resource, UriInfo uri) {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null || uri == null) {
            return null;
        }
        for (Parameter p : method.getParameters()) {
            String name = name(p);
            List<String> values = name == null ? null : uri.getQueryParameters().get(name);
            if (values == null) {
                continue;
            }
            for (String v : values) {
                if (!converts(p.getType(), v)) {
                    return name;
                }
            }
        }
        return null;
    }

    private static String name(Parameter p) {
        QueryParam q = p.getAnnotation(QueryParam.class);
        if (q != null) {
            return q.value();
        }
        RestQuery r = p.getAnnotation(RestQuery.class);
        return r == null ? null : r.value().isEmpty() ? p.getName() : r.value();
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static boolean converts(Class<?> type, String v) {
        try {
            if (type == int.class || type == Integer.class) {
                Integer.parseInt(v.trim());
            } else if (type == long.class || type == Long.class) {
                Long.parseLong(v.trim());
            } else if (type == double.class || type == Double.class) {
                Double.parseDouble(v.trim());
            } else if (type.isEnum()) {
                Enum.valueOf((Class<? extends Enum>) type, v);
            } else if (type == java.util.UUID.class) {
                java.util.UUID.fromString(v);
            } else if (type == java.time.Instant.class) {
                java.time.Instant.parse(v);
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
