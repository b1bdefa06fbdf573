package dev.berth.probe;

import static io.restassured.RestAssured.given;

import dev.berth.testsupport.Users;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;

/** Who sends a probe, and one probe request as sent. */
final class Probe {
    private static final RestAssuredConfig CONFIG = RestAssured.config()
            .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false)
                    .encodeContentTypeAs("", ContentType.TEXT))
            .httpClient(HttpClientConfig.httpClientConfig().setParam("http.socket.timeout", 20_000));

    private Probe() {
    }

    /**
     * An identity class. {@code user} acts through a test identity (API) and {@code session} through a real
     * form-login cookie (pages); {@code bearer} is an API token. {@code foreign} are the markers this identity must
     * never see in an answer; {@code refusedEverywhere} identities must never get a 2xx.
     */
    record Identity(String name, String user, String[] roles, String session, String bearer, List<String> foreign,
            boolean refusedEverywhere, boolean memberOfTarget) {
        RequestSpecification spec() {
            if (user != null) {
                Users.actAs(user, roles);
            } else {
                Users.actByCredentials();
            }
            RequestSpecification r = given().config(CONFIG).redirects().follow(false);
            if (session != null) {
                r = r.cookie("quarkus-credential", session);
            }
            if (bearer != null) {
                r = r.header("Authorization", "Bearer " + bearer);
            }
            return r;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** One request: where, what body (null for none) of which media type, with which query. */
    record Request(String method, String path, Map<String, String> query, String body, String contentType,
            String accept, String csrfCookie) {
        Request(String method, String path, Map<String, String> query, String body, String contentType,
                String accept) {
            this(method, path, query, body, contentType, accept, null);
        }

        Response send(Identity who) {
            try {
                RequestSpecification r = who.spec().accept(accept);
                if (csrfCookie != null) {
                    r = r.cookie("csrf-token", csrfCookie);
                }
                if (body != null) {
                    r = contentType.isEmpty() ? r.header("Content-Type", "") : r.contentType(contentType);
                    r = r.body(body);
                }
                r = r.queryParams(query);
                return r.request(method, path);
            } finally {
                Users.actAsAdmin();
            }
        }

        /** The markers the caller itself sent, which an answer may repeat (a 404 naming what was asked). */
        boolean sent(String marker) {
            return path.contains(marker) || (body != null && body.contains(marker))
                    || query.values().stream().anyMatch(v -> v.contains(marker));
        }
    }

    /** The markers in {@code answer} that {@code who} must not see and did not send. */
    static List<String> leaks(Identity who, Request request, String answer) {
        return who.foreign().stream().filter(m -> !request.sent(m)).filter(answer::contains).toList();
    }
}
