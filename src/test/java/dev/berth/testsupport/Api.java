package dev.berth.testsupport;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Small helpers for API tests: unique names, JSON requests and the usual request bodies. */
public final class Api {
    private Api() {
    }

    public static RequestSpecification json() {
        return given().contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    /** A tenant slug no other test uses. */
    public static String uniqueSlug(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A tenant body; its owners become users the identity provider knows (see {@link KnownUsers}). */
    public static Map<String, Object> tenant(String slug, String... owners) {
        KnownUsers.add(owners);
        Map<String, Object> body = new LinkedHashMap<>(Map.of("slug", slug, "displayName", "Team " + slug, "cpu", "4",
                "memory", "8Gi", "pods", 20, "apps", 10));
        if (owners.length > 0) {
            body.put("owners", List.of(owners)); // an empty owners list is refused; left out, there are none yet
        }
        return body;
    }

    /** Creates a tenant with the default test limits (4 CPU, 8Gi, 20 pods, 10 apps); the caller must be an admin. */
    public static String createTenant(String prefix, String... owners) {
        String slug = uniqueSlug(prefix);
        json().body(tenant(slug, owners)).post("/api/v1/tenants").then().statusCode(201);
        return slug;
    }

    /** A minimal valid app body; callers add or override fields. */
    public static Map<String, Object> app(String name) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("image", "registry.example.com/team/" + name + ":1.0");
        body.put("replicas", 1);
        return body;
    }

    public static void createApp(String tenant, Map<String, Object> body) {
        json().body(body).post(apps(tenant)).then().log().ifValidationFails().statusCode(201);
    }

    public static String apps(String tenant) {
        return "/api/v1/tenants/" + tenant + "/apps";
    }

    public static String app(String tenant, String app) {
        return apps(tenant) + "/" + app;
    }

    /** Adds a member with a role; the caller must be an owner of the tenant or an admin. */
    public static void putMember(String tenant, String subject, String role) {
        KnownUsers.add(subject);
        json().body(Map.of("role", role)).put("/api/v1/tenants/" + tenant + "/members/" + subject).then()
                .statusCode(200);
    }
}
