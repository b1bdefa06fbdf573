package dev.berth.api;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.apps.App;
import dev.berth.builds.source.AppSource;
import dev.berth.identity.Membership;
import dev.berth.placement.Placement;
import dev.berth.testsupport.Api;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.response.Response;
import jakarta.persistence.OptimisticLockException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Optimistic locking for every resource the API changes: the view carries {@code version}; a write whose
 * {@code If-Match} names it succeeds and moves it on; the same write again, based on the version it replaced, is
 * refused with 409 problem+json naming the current version, and changes nothing. Two commits racing on one row end in
 * one success and one conflict, never in a lost update.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class VersionsTest {

    /** GET, a write with If-Match of the version read, then the same write with that now stale version. */
    private static void staleWriteIsRefused(String url, String method, Map<String, Object> first,
            Map<String, Object> second, String field, Object firstValue) {
        long v = json().get(url).then().statusCode(200).extract().jsonPath().getLong("version");
        long after = send(method, url, first, "\"" + v + "\"").then().log().ifValidationFails().statusCode(200)
                .extract().jsonPath().getLong("version");
        assertThat(after).as("version after a write to " + url).isGreaterThan(v);
        send(method, url, second, "\"" + v + "\"").then().log().ifValidationFails().statusCode(409)
                .contentType(Problem.MEDIA_TYPE).body("currentVersion", equalTo((int) after))
                .body("field", equalTo("If-Match"));
        Object stored = json().get(url).then().statusCode(200).extract().path(field);
        assertThat(String.valueOf(stored)).as(field + " after the refused write").isEqualTo(String.valueOf(firstValue));
        // The current version, bare or as a weak ETag, and "*" let the write through.
        send(method, url, second, "W/\"" + after + "\"").then().statusCode(200);
        send(method, url, first, "*").then().statusCode(200);
    }

    private static Response send(String method, String url, Map<String, Object> body, String ifMatch) {
        return json().header("If-Match", ifMatch).body(body).request(method, url);
    }

    @Test
    void everyResourceTheApiChangesRefusesAWriteBasedOnAnOlderVersion() {
        String slug = Api.createTenant("ver");
        Api.createApp(slug, Api.app("web"));
        String app = Api.app(slug, "web");

        staleWriteIsRefused("/api/v1/tenants/" + slug, "PUT", Map.of("displayName", "First"),
                Map.of("displayName", "Second"), "displayName", "First");
        staleWriteIsRefused(app, "PATCH", Map.of("replicas", 2), Map.of("replicas", 3), "replicas", 2);
        staleWriteIsRefused(app + "/deploy-settings", "PUT", Map.of("holdSeconds", 60), Map.of("holdSeconds", 90),
                "holdSeconds", 60);
        staleWriteIsRefused(app + "/placement", "PUT", Map.of("allRegions", false), Map.of("allRegions", true),
                "allRegions", false);
        json().body(Map.of("repoUrl", "https://127.0.0.1/team/versioned.git")).put(app + "/source").then().statusCode(200);
        staleWriteIsRefused(app + "/source", "PUT", Map.of("repoUrl", "https://127.0.0.1/team/versioned.git", "ref", "one"),
                Map.of("repoUrl", "https://127.0.0.1/team/versioned.git", "ref", "two"), "ref", "one");

        String plan = Api.uniqueSlug("verplan");
        Map<String, Object> limits = new LinkedHashMap<>(Map.of("name", plan, "displayName", "Versioned",
                "cpuRequest", "2", "cpuLimit", "4", "memoryRequest", "4Gi", "memoryLimit", "8Gi", "pods", 40, "apps", 10));
        limits.putAll(Map.of("replicasPerApp", 5, "concurrentBuilds", 2, "buildMinutesPerMonth", 1000, "regions", 2,
                "customDomains", 1));
        json().body(limits).post("/api/v1/plans").then().log().ifValidationFails().statusCode(201);
        staleWriteIsRefused("/api/v1/plans/" + plan, "PUT", Map.of("pods", 41), Map.of("pods", 42), "pods", 41);
    }

    @Test
    void aMembershipsRoleChangeBasedOnAnOlderVersionIsRefused() {
        String slug = Api.createTenant("vermem", "ver-owner");
        Api.putMember(slug, "ver-dev", "developer");
        String member = "/api/v1/tenants/" + slug + "/members/ver-dev";
        long v = json().get("/api/v1/tenants/" + slug + "/members").then().statusCode(200).extract().jsonPath()
                .getLong("find { it.username == 'ver-dev' }.version");
        json().header("If-Match", Long.toString(v)).body(Map.of("role", "viewer")).put(member).then().statusCode(200);
        json().header("If-Match", Long.toString(v)).body(Map.of("role", "owner")).put(member).then().statusCode(409)
                .contentType(Problem.MEDIA_TYPE).body("currentVersion", equalTo((int) v + 1));
        assertThat(json().get("/api/v1/tenants/" + slug + "/members").then().extract().jsonPath()
                .getString("find { it.username == 'ver-dev' }.role")).isEqualTo("viewer");
    }

    @Test
    void theApiDocumentListsIfMatchOnTheVersionedWrites() {
        var doc = io.restassured.RestAssured.given().accept("application/json").get("/q/openapi?format=json").then()
                .statusCode(200).extract().jsonPath();
        for (String op : java.util.List.of("'/api/v1/tenants/{tenant}/apps/{app}'.patch", "'/api/v1/plans/{plan}'.put",
                "'/api/v1/tenants/{tenant}/apps/{app}/placement'.put")) {
            assertThat(doc.getList("paths." + op + ".parameters.name", String.class)).as(op).contains("If-Match");
        }
    }

    @Test
    void anIfMatchThatIsNoVersionIsA400NamingTheHeader() {
        String slug = Api.createTenant("verbad");
        json().header("If-Match", "yesterday").body(Map.of("displayName", "X")).put("/api/v1/tenants/" + slug).then()
                .statusCode(400).contentType(Problem.MEDIA_TYPE).body("field", equalTo("If-Match"));
    }

    /**
     * Two transactions read the same row, change it, and commit one after the other: the second fails on the row's
     * version (which the API answers 409), for each versioned entity the API changes, the new ones included.
     */
    @Test
    void twoCommitsRacingOnOneRowEndInOneConflict() throws Exception {
        String slug = Api.createTenant("verrace", "race-owner");
        Api.createApp(slug, Api.app("web"));
        json().body(Map.of("repoUrl", "https://127.0.0.1/team/versioned.git")).put(Api.app(slug, "web") + "/source").then()
                .statusCode(200);
        json().get(Api.app(slug, "web") + "/placement").then().statusCode(200);
        long appId = QuarkusTransaction.requiringNew().call(() -> App.<App>find("name = ?1 and tenantId = "
                + "(select t.id from Tenant t where t.slug = ?2)", "web", slug).firstResult().id);
        long tenantId = QuarkusTransaction.requiringNew().call(() -> App.<App>findById(appId).tenantId);

        race(() -> App.<App>findById(appId), a -> a.replicas++);
        race(() -> AppSource.<AppSource>findById(appId), s -> s.gitRef = s.gitRef + "x");
        race(() -> Placement.<Placement>findById(appId), p -> p.pauseBetweenWaves = !p.pauseBetweenWaves);
        race(() -> Membership.find(tenantId, Membership.<Membership>list("id.tenantId", tenantId).get(0).id.subject),
                m -> m.email = "race@example.com".equals(m.email) ? "other@example.com" : "race@example.com");
        assertThat(ConstraintConflicts.map(new jakarta.persistence.PersistenceException(new OptimisticLockException()))
                .getStatus()).isEqualTo(409);
    }

    private static <T> void race(java.util.function.Supplier<T> load, Consumer<T> change) throws Exception {
        CountDownLatch bothRead = new CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Boolean> first = pool.submit(() -> write(load, change, bothRead));
            Future<Boolean> second = pool.submit(() -> write(load, change, bothRead));
            int ok = (first.get(30, TimeUnit.SECONDS) ? 1 : 0) + (second.get(30, TimeUnit.SECONDS) ? 1 : 0);
            assertThat(ok).as("commits that went through of two racing on one row").isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    /** True when the commit went through, false when it failed on the row's version. */
    private static <T> boolean write(java.util.function.Supplier<T> load, Consumer<T> change, CountDownLatch bothRead) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                T row = load.get();
                bothRead.countDown();
                try {
                    bothRead.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                change.accept(row);
            });
            return true;
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof OptimisticLockException || t instanceof org.hibernate.StaleStateException) {
                    return false;
                }
            }
            throw e;
        }
    }
}
