package dev.berth.probe;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The API as the application describes it in its own {@code /q/openapi} document: every operation under
 * {@code /api/v1} with its request body schema, content types and query parameters, and a valid body for each,
 * generated from the schema (every property, of its type, enum values respected) with sensible values for the
 * property names whose rules a schema cannot express (names, images, URLs, quantities).
 */
final class ApiOperations {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

    /** One operation of the served document. */
    record Operation(String method, String template, JsonNode bodySchema, String consumes, List<String> produces,
            List<String> queryParams) {
        boolean hasBody() {
            return bodySchema != null || consumes != null;
        }

        boolean read() {
            return method.equals("GET");
        }

        /** The media type to ask for: JSON where the operation offers it. */
        String accept() {
            for (String wanted : List.of("application/json", "text/plain", "text/csv")) {
                if (produces.contains(wanted)) {
                    return wanted;
                }
            }
            return produces.isEmpty() ? "application/json" : produces.get(0);
        }

        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    private final JsonNode doc;

    private ApiOperations(JsonNode doc) {
        this.doc = doc;
    }

    static ApiOperations served() {
        String text = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200)
                .extract().asString();
        try {
            return new ApiOperations(JSON.readTree(text));
        } catch (IOException e) {
            throw new AssertionError("the OpenAPI document is not JSON", e);
        }
    }

    List<Operation> operations() {
        List<Operation> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (!path.getKey().startsWith("/api/v1")) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = path.getValue().fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> m = it.next();
                if (METHODS.contains(m.getKey())) {
                    ops.add(operation(m.getKey().toUpperCase(Locale.ROOT), path.getKey(), m.getValue()));
                }
            }
        }
        return ops;
    }

    private Operation operation(String method, String template, JsonNode op) {
        JsonNode content = op.path("requestBody").path("content");
        String consumes = content.fieldNames().hasNext() ? content.fieldNames().next() : null;
        JsonNode schema = consumes == null ? null : resolve(content.path(consumes).path("schema"));
        List<String> produces = new ArrayList<>();
        op.path("responses").forEach(r -> r.path("content").fieldNames().forEachRemaining(t -> {
            if (!produces.contains(t)) {
                produces.add(t);
            }
        }));
        List<String> query = new ArrayList<>();
        op.path("parameters").forEach(p -> {
            JsonNode param = resolve(p);
            if (param.path("in").asText().equals("query")) {
                query.add(param.path("name").asText());
            }
        });
        return new Operation(method, template, schema, consumes, produces, query);
    }

    JsonNode resolve(JsonNode node) {
        JsonNode n = node;
        while (n.has("$ref")) {
            String[] parts = n.get("$ref").asText().replaceFirst("^#/", "").split("/");
            JsonNode target = doc;
            for (String p : parts) {
                target = target.path(p);
            }
            n = target;
        }
        if (n.has("allOf") && n.get("allOf").size() == 1) {
            return resolve(n.get("allOf").get(0));
        }
        return n;
    }

    /** A body the operation should accept: every property present, of its type, named values from {@code hints}. */
    JsonNode validBody(JsonNode schema, BiFunction<String, String, JsonNode> hints) {
        return value(schema, null, hints, 0);
    }

    private JsonNode value(JsonNode raw, String name, BiFunction<String, String, JsonNode> hints, int depth) {
        JsonNode schema = resolve(raw);
        String type = schema.path("type").asText(schema.has("properties") ? "object" : "string");
        JsonNode hinted = name == null ? null : hints.apply(name, type);
        if (hinted != null) {
            return hinted;
        }
        if (schema.has("enum") && schema.get("enum").size() > 0) {
            return schema.get("enum").get(0);
        }
        switch (type) {
            case "integer":
                return F.numberNode(1);
            case "number":
                return F.numberNode(1.5);
            case "boolean":
                return F.booleanNode(false);
            case "array":
                ArrayNode list = F.arrayNode();
                if (depth < 3) {
                    list.add(value(schema.path("items"), null, hints, depth + 1));
                }
                return list;
            case "object":
                ObjectNode object = F.objectNode();
                if (depth < 3) {
                    schema.path("properties").fields().forEachRemaining(p ->
                            object.set(p.getKey(), value(p.getValue(), p.getKey(), hints, depth + 1)));
                    if (schema.path("additionalProperties").isObject()) {
                        object.set("PROBE_KEY", value(schema.get("additionalProperties"), null, hints, depth + 1));
                    }
                }
                return object;
            default:
                return F.textNode("probe");
        }
    }
}
