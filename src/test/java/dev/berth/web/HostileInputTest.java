package dev.berth.web;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Problems;
import dev.berth.testsupport.RowLocks;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Input that once cost minutes or ended in a 500: each is refused quickly, as problem+json naming what is wrong. */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class HostileInputTest {
    private static final RestAssuredConfig RAW = RestAssuredConfig.config().encoderConfig(
            EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));

    @Test
    void aHugeCpuValueIsRefusedAtOnceNamingTheField() {
        String digits = "1".repeat(60_000);
        long start = System.nanoTime();
        Problems.assertProblem(json().body(Map.of("slug", Api.uniqueSlug("huge"), "cpu", digits))
                .post("/api/v1/tenants"), 400, "cpu");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        // A million digits does not even get read: the body is over the API's limit.
        Problems.assertProblem(json().body(Map.of("slug", Api.uniqueSlug("huge"), "cpu", "1".repeat(1_000_000)))
                .post("/api/v1/tenants"), 413, "body");
    }

    @Test
    void oversizedFormsAreRefusedAsProblems() {
        // Over the route's cap, known from Content-Length before the body is read.
        Problems.assertProblem(given().redirects().follow(false).formParam("slug", "x".repeat(20_000))
                .post("/tenants"), 413, "body");
        // Under the route's cap but one field over the form field limit, found while the form is read.
        Response r = given().redirects().follow(false).formParam("kubeconfig", "x".repeat(100_000))
                .post("/regions");
        r.then().statusCode(413).contentType(startsWith(Problems.MEDIA_TYPE)).body("status", equalTo(413));
    }

    @Test
    void anEmptyContentTypeIsA415NotA500() {
        String slug = Api.createTenant("ctype", "alice");
        Problems.assertProblem(given().config(RAW).header("Content-Type", "").body("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post(Api.apps(slug)), 415, "Content-Type");
        Problems.assertProblem(given().config(RAW).header("Content-Type", "text/plain").body("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post(Api.apps(slug)), 415, "Content-Type");
    }

    @Test
    void aTruncatedMultipartBodyIsA400NotA500() {
        String slug = Api.createTenant("multi", "alice");
        String body = "--b0undary\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nweb\r\n--b0undary\r\n"
                + "Content-Disposition: form-data; name=\"image\"\r\n\r\nregistry.exa";
        Response r = given().config(RAW).redirects().follow(false)
                .header("Content-Type", "multipart/form-data; boundary=b0undary")
                .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/t/" + slug + "/apps");
        assertThat(r.statusCode()).as(r.asString()).isBetween(400, 499);
        r.then().contentType(startsWith(Problems.MEDIA_TYPE));
    }

    @Test
    void twoTenantsClaimingTheSameDomainAtOnceGetA409() throws Exception {
        String a = Api.createTenant("dom-a", "alice");
        String b = Api.createTenant("dom-b", "bob");
        Api.createApp(a, Api.app("web"));
        Api.createApp(b, Api.app("web"));
        String domain = "shop-" + a + ".example.com";
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Response>[] other = new Future[1];
            // Tenant a's claim is written but not committed while tenant b's request checks (finds the domain free)
            // and writes; b then waits on the unique index until a commits.
            QuarkusTransaction.requiringNew().run(() -> {
                Panache.getEntityManager().createNativeQuery("update app set custom_domain = ?1 where name = 'web' "
                        + "and tenant_id = (select id from tenant where slug = ?2)").setParameter(1, domain)
                        .setParameter(2, a).executeUpdate();
                int holder = RowLocks.backend();
                other[0] = pool.submit(() -> json().body(Map.of("customDomain", domain)).patch(Api.app(b, "web")));
                RowLocks.awaitWaiterOn(holder, other[0]);
            });
            Problems.assertProblem(other[0].get(), 409, "customDomain");
        } finally {
            pool.shutdownNow();
        }
        json().get(Api.app(b, "web")).then().statusCode(200).body("customDomain", equalTo(null));
    }
}
