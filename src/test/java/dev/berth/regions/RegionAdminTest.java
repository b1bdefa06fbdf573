package dev.berth.regions;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.web.PageForms;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class RegionAdminTest {
    private final MockRegions regions = new MockRegions();

    @AfterEach
    void cleanUp() {
        regions.close();
    }

    private static Map<String, Object> body(String name, String kubeconfig) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("name", name);
        b.put("displayName", "Europe West");
        b.put("city", "Frankfurt");
        b.put("latitude", 50.11);
        b.put("longitude", 8.68);
        b.put("baseDomain", "apps.eu.example.com");
        b.put("kubeconfig", kubeconfig);
        return b;
    }

    private static boolean stored(String name) {
        return QuarkusTransaction.requiringNew().call(() -> Region.findByName(name)) != null;
    }

    @Test
    void anAdminRegistersARegionWhoseConnectionIsCheckedSealedAndNeverShown() throws IOException {
        MockRegions.MockRegion eu = regions.start("rg-eu");
        json().body(body("rg-eu", eu.kubeconfig())).post("/api/v1/regions").then().log().ifValidationFails()
                .statusCode(201).body("name", equalTo("rg-eu")).body("health", equalTo("reachable"))
                .body("kubernetesVersion", notNullValue()).body("latencyMs", notNullValue())
                .body("city", equalTo("Frankfurt")).body("latitude", equalTo(50.11f))
                .body("connection", equalTo("stored kubeconfig (rg-eu)")).body("$", not(hasKey("kubeconfig")));

        Region row = QuarkusTransaction.requiringNew().call(() -> Region.findByName("rg-eu"));
        assertThat(row.kubeconfigSealed).startsWith("v2:k0:").doesNotContain("test-token")
                .doesNotContain(String.valueOf(eu.proxy().port()));
        assertThat(row.connectionKind).isEqualTo(Region.ConnectionKind.STORED);
        json().get("/api/v1/regions/rg-eu").then().statusCode(200).body(not(containsString("test-token")));
        // Connected at once, without a restart: its worker completes a sync.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                json().get("/api/v1/regions/rg-eu").then().body("lastSyncAt", notNullValue()));
    }

    @Test
    void aConnectionThatDoesNotWorkIsRefusedNamingTheFieldAndNothingIsStored() throws IOException {
        MockRegions.MockRegion eu = regions.start("rg-bad");
        assertProblem(json().body(body("rg-bad", "not: [a kubeconfig")).post("/api/v1/regions"), 400, "kubeconfig");
        Map<String, Object> wrongContext = body("rg-bad", eu.kubeconfig());
        wrongContext.put("context", "nope");
        assertProblem(json().body(wrongContext).post("/api/v1/regions"), 400, "context")
                .body("detail", containsString("'nope' is not in the kubeconfig"));
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertProblem(json().body(body("rg-bad", MockRegions.kubeconfig("http://127.0.0.1:" + closed, "c")))
                .post("/api/v1/regions"), 400, "kubeconfig").body("detail", containsString("did not answer"));
        Map<String, Object> badPlace = body("rg-bad", eu.kubeconfig());
        badPlace.put("latitude", 91);
        assertProblem(json().body(badPlace).post("/api/v1/regions"), 400, "latitude");
        assertProblem(json().body(body("Bad_Name", eu.kubeconfig())).post("/api/v1/regions"), 400, "name");
        assertThat(stored("rg-bad")).isFalse();
    }

    @Test
    @TestSecurity(user = "alice", roles = {})
    void onlyPlatformAdminsManageRegions() {
        json().body(body("rg-x", "x")).post("/api/v1/regions").then().statusCode(403);
        json().body(Map.of("displayName", "x")).put("/api/v1/regions/local").then().statusCode(403);
        json().delete("/api/v1/regions/local").then().statusCode(403);
        json().get("/api/v1/regions/local").then().statusCode(200).body("connection", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void aHealthProbeWrittenWhileAnAdminRenamesTheRegionKeepsTheNewName() throws Exception {
        regions.register("rg-lost", 10, 10);
        java.util.concurrent.CountDownLatch loaded = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch renamed = new java.util.concurrent.CountDownLatch(1);
        // A probe's transaction reads the region before the admin's change commits and writes after it.
        var probe = java.util.concurrent.CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew().run(() -> {
            dev.berth.regions.Region r = dev.berth.regions.Region.findByName("rg-lost");
            loaded.countDown();
            try {
                renamed.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            r.latencyMs = 7;
            r.lastOkAt = java.time.Instant.now();
        }));
        loaded.await();
        json().body(Map.of("displayName", "Lisbon")).put("/api/v1/regions/rg-lost").then().statusCode(200);
        renamed.countDown();
        probe.get();
        json().get("/api/v1/regions/rg-lost").then().statusCode(200).body("displayName", equalTo("Lisbon"))
                .body("latencyMs", equalTo(7));
    }

    @Test
    void grantingATenantProvisionsItsNamespaceThereAndARegionInUseCannotBeDeleted() throws IOException {
        String slug = Api.createTenant("rgt");
        MockRegions.MockRegion eu = regions.register("rg-use", 48.85, 2.35);
        json().body(Map.of("tenants", List.of(slug), "displayName", "Paris")).put("/api/v1/regions/rg-use").then()
                .log().ifValidationFails().statusCode(200).body("tenants", hasItem(slug))
                .body("displayName", equalTo("Paris"));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                eu.client().namespaces().withName(Names.namespace(slug)).get() != null);

        Api.createApp(slug, Api.app("web"));
        assertProblem(json().delete("/api/v1/regions/rg-use"), 409, "region")
                .body("detail", containsString(slug + "/web"));
        assertProblem(json().body(Map.of("tenants", List.of())).put("/api/v1/regions/rg-use"), 409, "tenants")
                .body("detail", containsString("web"));

        json().delete(Api.app(slug, "web")).then().statusCode(204);
        json().body(Map.of("tenants", List.of())).put("/api/v1/regions/rg-use").then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                eu.client().namespaces().withName(Names.namespace(slug)).get() == null);
        json().delete("/api/v1/regions/rg-use").then().statusCode(204);
        assertThat(stored("rg-use")).isFalse();
        json().get("/api/v1/regions/rg-use").then().statusCode(404);
    }

    @Test
    void theRegionsPageRegistersARegionThroughItsForm() throws IOException {
        MockRegions.MockRegion eu = regions.start("rg-page");
        String page = given().get("/regions").then().statusCode(200).extract().asString();
        assertThat(page).contains("Register a region");
        PageForms.from("/regions").post().formParam("name", "rg-page")
                .formParam("baseDomain", "apps.page.example.com").formParam("kubeconfig", "garbage: [")
                .formParam("latitude", "north").post("/regions").then().statusCode(400)
                .body(containsString("latitude"));
        PageForms.from("/regions").post().formParam("name", "rg-page")
                .formParam("baseDomain", "apps.page.example.com").formParam("kubeconfig", eu.kubeconfig())
                .formParam("city", "Lisbon").formParam("latitude", "38.72").formParam("longitude", "-9.14")
                .post("/regions").then().statusCode(303);
        given().get("/regions/rg-page").then().statusCode(200).body(containsString("Lisbon"))
                .body(not(containsString("test-token")));
    }
}
