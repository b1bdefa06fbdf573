package dev.berth.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.berth.testsupport.Problems;
import dev.berth.testsupport.Sessions;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The local login's sessions: sign-out ends them on the server, and failed sign-ins back off. */
@QuarkusTest
class SessionsTest {

    private static String address() {
        return "10.66." + (int) (Math.random() * 250) + "." + (int) (Math.random() * 250);
    }

    private static Response attempt(String address, String user, String password) {
        return given().redirects().follow(false).header("X-Forwarded-For", address).formParam("j_username", user)
                .formParam("j_password", password).post("/j_security_check");
    }

    @Test
    void aSignedOutSessionCookieNoLongerWorks() {
        Sessions alice = Sessions.login("alice", "/tenants");
        alice.withToken().post("/logout").then().statusCode(303);
        // A copy of the cookie kept from before the sign-out is refused.
        alice.cookiesOnly().get("/api/v1/tenants").then().statusCode(401)
                .contentType(startsWith(Problems.MEDIA_TYPE));
        alice.cookiesOnly().get("/tenants").then().statusCode(302);
        // Signing in again works.
        Sessions again = Sessions.login("alice", "/tenants");
        again.cookiesOnly().get("/api/v1/tenants").then().statusCode(200);
    }

    /** A login between two sign-outs: its cookie ends with the second sign-out like any other. */
    @Test
    void aCookieIssuedAfterAnEarlierSignOutEndsWithTheNextOne() {
        Sessions first = Sessions.login("alice", "/tenants");
        first.withToken().post("/logout").then().statusCode(303);
        Sessions second = Sessions.login("alice", "/tenants");
        second.cookiesOnly().get("/api/v1/tenants").then().statusCode(200);
        second.withToken().post("/logout").then().statusCode(303);
        second.cookiesOnly().get("/api/v1/tenants").then().statusCode(401);
    }

    @Test
    void repeatedFailuresOfOneUserNameBackOffWith429() {
        String user = "ghost-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 4; i++) {
            attempt(address(), user, "wrong").then().statusCode(302);
        }
        Response r = attempt(address(), user, "wrong");
        Problems.assertProblem(r, 429, "j_username");
        assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 300L);
    }

    @Test
    void repeatedFailuresFromOneAddressBackOffEvenWithTheRightPassword() {
        String address = address();
        for (int i = 0; i < 4; i++) {
            attempt(address, "ghost-" + UUID.randomUUID(), "wrong").then().statusCode(302);
        }
        Response r = attempt(address, "bob", "bob");
        r.then().statusCode(429).header("Retry-After", org.hamcrest.Matchers.notNullValue())
                .contentType(startsWith(Problems.MEDIA_TYPE)).body("status", equalTo(429));
        assertThat(r.getCookie(Sessions.SESSION_COOKIE)).isNull();
        // Another address is not held up.
        attempt(address(), "bob", "bob").then().statusCode(302);
    }
}
