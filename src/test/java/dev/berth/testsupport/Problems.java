package dev.berth.testsupport;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;

/** Assertions on RFC 7807 problem responses: status, media type and the offending field. */
public final class Problems {
    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    /** The response is a problem with {@code status} that names {@code field} (first, and among all errors). */
    public static ValidatableResponse assertProblem(Response response, int status, String field) {
        return response.then().log().ifValidationFails().statusCode(status)
                .header("Content-Type", startsWith(MEDIA_TYPE))
                .body("status", equalTo(status))
                .body("field", equalTo(field))
                .body("errors.field", hasItem(field));
    }
}
