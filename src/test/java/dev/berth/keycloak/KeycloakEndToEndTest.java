package dev.berth.keycloak;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.testsupport.Api;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Berth against a real Keycloak ({@link KeycloakServer}, started once for this class): people log in through
 * Keycloak's login page and see only their tenants, logging out ends the Keycloak session, access tokens from
 * Keycloak work on the API while expired, foreign-audience and forged tokens are refused, members are found in
 * Keycloak's directory, and API tokens keep working alongside until revoked.
 */
@QuarkusTest
@TestProfile(KeycloakProfile.class)
class KeycloakEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TestHTTPResource("/")
    URL root;
    private static String aliceTenant;
    private static String bobTenant;

    static String token(String client, String secret, String user) {
        RequestSpecification r = given().formParam("grant_type", "password")
                .formParam("client_id", client).formParam("username", user).formParam("password", user);
        if (secret != null) {
            r = r.formParam("client_secret", secret);
        }
        return r.post(KeycloakServer.realmUrl() + "/protocol/openid-connect/token").then().statusCode(200).extract().path("access_token");
    }

    static String token(String user) {
        return token(KeycloakServer.CLIENT, KeycloakServer.SECRET, user);
    }

    static RequestSpecification bearer(String token) {
        return given().contentType(ContentType.JSON).accept(ContentType.JSON).header("Authorization", "Bearer " + token);
    }

    /** Once for the class; in @BeforeEach because Quarkus points RestAssured at the app before each test. */
    @BeforeEach
    void tenantsOfAliceAndBob() {
        if (bobTenant != null) {
            return;
        }
        String admin = token("admin");
        String alice = Api.uniqueSlug("kc-alice");
        String bob = Api.uniqueSlug("kc-bob");
        // Owners are looked up in Keycloak's directory, by user name and by e-mail address.
        bearer(admin).body(Map.of("slug", alice, "owners", List.of("alice"))).post("/api/v1/tenants").then()
                .log().ifValidationFails().statusCode(201);
        bearer(admin).body(Map.of("slug", bob, "owners", List.of("bob@berth.localhost")))
                .post("/api/v1/tenants").then().log().ifValidationFails().statusCode(201);
        aliceTenant = alice;
        bobTenant = bob;
    }

    @Test
    void aPasswordGrantTokenWorksOnTheApiAndSeesOnlyTheUsersTenants() {
        String alice = token("alice");
        bearer(alice).get("/api/v1/tenants").then().statusCode(200)
                .body("items.slug", hasItem(aliceTenant)).body("items.slug", not(hasItem(bobTenant)));
        bearer(alice).get("/api/v1/tenants/" + bobTenant).then().statusCode(404);
        // Members are stored under Keycloak's subject (its user id), with the name and address it reported.
        bearer(alice).get("/api/v1/tenants/" + aliceTenant + "/members").then().statusCode(200)
                .body("username", equalTo(List.of("alice")))
                .body("email", equalTo(List.of("alice@berth.localhost")))
                .body("subject[0]", matchesPattern("[0-9a-f-]{36}"));
        bearer(alice).body(Map.of("user", "bob@berth.localhost", "role", "viewer"))
                .post("/api/v1/tenants/" + aliceTenant + "/members").then().statusCode(201)
                .body("username", equalTo("bob"));
        bearer(alice).body(Map.of("user", "nobody-" + Instant.now().toEpochMilli(), "role", "viewer"))
                .post("/api/v1/tenants/" + aliceTenant + "/members").then().statusCode(400)
                .body("field", equalTo("user"));
        bearer(token("bob")).get("/api/v1/tenants/" + aliceTenant).then().statusCode(200)
                .body("role", equalTo("viewer"));
        // The realm role platform-admin makes a platform admin.
        bearer(token("admin")).get("/api/v1/tenants/" + bobTenant).then().statusCode(200);
        bearer(alice).body(Map.of("slug", Api.uniqueSlug("nope"))).post("/api/v1/tenants").then().statusCode(403);
    }

    @Test
    void expiredForeignAndForgedTokensAreRefused() throws Exception {
        String genuine = token("alice");
        bearer(genuine).get("/api/v1/tenants/" + aliceTenant).then().statusCode(200);

        String shortLived = token(KeycloakServer.SHORT_LIVED_CLIENT, null, "alice");
        bearer(shortLived).get("/api/v1/tenants/" + aliceTenant).then().statusCode(200);
        long exp = claims(shortLived).path("exp").asLong();
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), Instant.ofEpochSecond(exp + 2)).toMillis()));
        bearer(shortLived).get("/api/v1/tenants/" + aliceTenant).then().statusCode(401);

        String foreign = token(KeycloakServer.OTHER_CLIENT, null, "alice");
        assertThat(claims(foreign).path("aud").toString()).doesNotContain(KeycloakServer.CLIENT);
        bearer(foreign).get("/api/v1/tenants/" + aliceTenant).then().statusCode(401);

        // Alice makes herself a platform admin in the payload and keeps Keycloak's signature.
        ObjectNode elevated = claims(genuine);
        elevated.putObject("realm_access").putArray("roles").add("platform-admin");
        String[] parts = genuine.split("\\.");
        String tampered = parts[0] + "." + encode(elevated) + "." + parts[2];
        bearer(tampered).get("/api/v1/tenants/" + bobTenant).then().statusCode(401);

        // The same claims re-signed with a key of her own under the realm key's id.
        bearer(resign(genuine, elevated, AlgorithmIdentifiers.RSA_USING_SHA256)).get("/api/v1/tenants/" + bobTenant)
                .then().statusCode(401);
        String unsigned = encode(JSON.createObjectNode().put("alg", "none").put("typ", "JWT")) + "." + encode(elevated)
                + ".";
        bearer(unsigned).get("/api/v1/tenants/" + bobTenant).then().statusCode(401);
    }

    @Test
    void anApiTokenWorksBesideKeycloakUntilRevoked() {
        String alice = token("alice");
        String path = "/api/v1/tenants/" + aliceTenant + "/tokens";
        String secret = bearer(alice).body(Map.of("name", "ci", "role", "viewer")).post(path).then().statusCode(201)
                .extract().path("secret");
        long id = bearer(alice).get(path).then().statusCode(200).extract().<Number>path("find { it.name == 'ci' }.id")
                .longValue();
        bearer(secret).get("/api/v1/tenants/" + aliceTenant).then().statusCode(200).body("role", equalTo("viewer"));
        bearer(secret).get("/api/v1/tenants/" + bobTenant).then().statusCode(404);
        bearer(alice).delete(path + "/" + id).then().statusCode(204);
        bearer(secret).get("/api/v1/tenants/" + aliceTenant).then().statusCode(401);
    }

    @Test
    void aUserLogsInThroughKeycloakSeesOnlyTheirTenantsAndLogsOut() throws IOException {
        Path profile = Files.createTempDirectory("berth-chromium-");
        WebDriver browser = browser(profile);
        try {
            String app = root.toString().replaceAll("/$", "");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            browser.get(app + "/tenants");
            wait.until(ExpectedConditions.urlContains("/realms/berth/protocol/openid-connect/auth"));
            browser.findElement(By.id("username")).sendKeys("alice");
            browser.findElement(By.id("password")).sendKeys("alice");
            browser.findElement(By.id("kc-login")).click();
            wait.until(ExpectedConditions.urlToBe(app + "/tenants"));
            String page = browser.getPageSource();
            assertThat(page).contains(aliceTenant).doesNotContain(bobTenant);
            assertThat(browser.findElement(By.cssSelector(".who .user")).getText()).contains("alice");
            Cookie session = browser.manage().getCookieNamed("q_session");
            assertThat(session).as("the OIDC session cookie").isNotNull();
            assertThat(session.isHttpOnly()).isTrue();
            assertThat(session.getSameSite()).isEqualToIgnoringCase("Lax");

            browser.findElement(By.cssSelector("form[action='/logout'] button")).click();
            wait.until(ExpectedConditions.not(ExpectedConditions.urlContains("/tenants")));
            // With the Keycloak session gone, Berth's pages lead to Keycloak's login form again.
            browser.get(app + "/tenants");
            wait.until(ExpectedConditions.urlContains("/realms/berth/protocol/openid-connect/auth"));
            assertThat(browser.findElements(By.id("kc-login"))).as("Keycloak asks for the password again").hasSize(1);
        } finally {
            browser.quit();
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static WebDriver browser(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
        WebDriver browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        return browser;
    }

    private static ObjectNode claims(String jwt) throws IOException {
        return (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    private static String encode(ObjectNode node) throws IOException {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(node));
    }

    private static String resign(String genuine, ObjectNode claims, String alg) throws IOException, JoseException {
        String kid = JSON.readTree(Base64.getUrlDecoder().decode(genuine.split("\\.")[0])).path("kid").asText();
        RsaJsonWebKey own = RsaJwkGenerator.generateJwk(2048);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(new String(JSON.writeValueAsBytes(claims), StandardCharsets.UTF_8));
        jws.setAlgorithmHeaderValue(alg);
        jws.setKeyIdHeaderValue(kid);
        jws.setKey(own.getPrivateKey());
        return jws.getCompactSerialization();
    }
}
