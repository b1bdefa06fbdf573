package dev.berth.testsupport;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.UUID;

/** Small helpers for API tests: unique names and JSON requests. */
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

    public static Map<String, Object> tenant(String slug, String... owners) {
        return Map.of("slug", slug, "displayName", "Team " + slug, "cpu", "4", "memory", "8Gi", "pods", 20, "apps", 10,
                "owners", java.util.List.of(owners));
    }
}
