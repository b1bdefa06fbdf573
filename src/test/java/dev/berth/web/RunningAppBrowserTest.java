package dev.berth.web;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.kube.Names;
import dev.berth.metrics.MetricsSampler;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.HeadlessBrowser;
import dev.berth.testsupport.Sandbox;
import dev.berth.testsupport.Users;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * An app's page in a real browser once the app runs day to day on the sandbox region: its CPU and memory charts, its
 * autoscaler, its HTTPS card, a worker and a nightly cron, and a one-off run that failed with its exit code kept. Each
 * card is checked for what it must say and saved as a screenshot ({@code target/screenshots/running-*.png}).
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class RunningAppBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    @TestHTTPResource("/")
    URL root;
    @Inject
    Sandbox sandbox;
    @Inject
    MetricsSampler sampler;

    private HeadlessBrowser headless;
    private WebDriver browser;

    @BeforeEach
    void startBrowser() throws IOException {
        headless = new HeadlessBrowser(root);
        browser = headless.driver();
    }

    @AfterEach
    void stopBrowser() throws IOException {
        if (headless != null) {
            headless.close();
        }
        Users.actAsAdmin();
    }

    @Test
    void theAppPageShowsMetricsAutoscalerHttpsProcessesAndRuns() {
        String slug = Api.createTenant("running", "admin");
        Map<String, Object> web = new LinkedHashMap<>(Api.app("web"));
        web.put("replicas", 2);
        Api.createApp(slug, web);
        String app = Api.app(slug, "web");
        json().body(Map.of("minReplicas", 2, "maxReplicas", 4, "cpuPercent", 70)).put(app + "/autoscaling").then()
                .statusCode(200);
        json().body(Map.of("mode", "cert-manager")).put(app + "/tls").then().statusCode(200);
        json().body(Map.of("processes", List.of(
                Map.of("name", "jobs", "type", "worker", "command", List.of("bin/worker"), "replicas", 1),
                Map.of("name", "nightly", "type", "cron", "command", List.of("bin/report"), "schedule", "0 3 * * *"))))
                .put(app + "/processes").then().statusCode(200);
        int run = json().body(Map.of("command", List.of("sh", "-c", "bin/seed; exit 3"))).post(app + "/runs").then()
                .statusCode(201).extract().path("id");
        await().atMost(WAIT).until(() -> "failed".equals(json().get(app + "/runs/" + run).then().statusCode(200)
                .extract().path("state")));
        json().get(app + "/runs/" + run).then().statusCode(200).body("exitCode", org.hamcrest.Matchers.equalTo(3));
        sandbox.settle();
        await().atMost(WAIT).until(() -> sandbox.cluster().cache().podsOf(Names.namespace(slug), "web").stream()
                .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).count() == 2);
        // Four samples ten minutes apart, as the sampler's schedule would have taken them.
        Instant now = Instant.now();
        for (int i = 4; i >= 1; i--) {
            sampler.sample(now.minus(Duration.ofMinutes(10L * i)));
        }

        Users.actByCredentials();
        headless.signInAsAdmin();
        headless.open("/t/" + slug + "/apps/web");
        card("metrics", text -> text.contains("simulated") || text.contains("millicores") || text.contains("MiB"),
                "running-metrics");
        assertThat(browser.findElements(By.cssSelector("#metrics svg"))).as("charts drawn").isNotEmpty();
        card("autoscaling", text -> text.contains("4"), "running-autoscaler");
        card("tls", text -> text.toLowerCase().contains("issuer"), "running-https");
        card("processes", text -> text.contains("jobs") && text.contains("nightly") && text.contains("0 3 * * *")
                && text.contains("3"), "running-processes");
        headless.screenshot("running-app-page");

        headless.open("/t/" + slug + "/apps/web/runs/" + run);
        headless.waitFor(d -> d.findElement(By.tagName("main")).getText().contains("failed"), WAIT);
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("3");
        headless.screenshot("running-one-off-run");
    }

    /** Waits until the card with this id says what it must, scrolls it into view and saves it. */
    private void card(String id, java.util.function.Predicate<String> says, String screenshot) {
        headless.waitFor(d -> says.test(d.findElement(By.id(id)).getText()), WAIT);
        headless.js("arguments[0].scrollIntoView(true);", browser.findElement(By.id(id)));
        headless.screenshot(screenshot);
    }
}
