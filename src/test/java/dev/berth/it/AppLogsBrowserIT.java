package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.apps.AppManifests;
import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.HeadlessBrowser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The app page's live log in Chromium, fed by the real apiserver's {@code pods/log}: a line written by a pod shows
 * up on the page without a reload. Prints the latency from the pod's log to the page, and saves a screenshot.
 */
@QuarkusTest
@TestProfile(RealCluster.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class AppLogsBrowserIT {
    static final Duration WAIT = Duration.ofSeconds(60);

    @TestHTTPResource("/")
    URL root;

    @Test
    void aPodsLogLineAppearsOnTheAppPageLive() throws Exception {
        String tenant = Api.createTenant("logpage");
        String ns = Names.namespace(tenant);
        Api.createApp(tenant, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 1));
        String pod = await().atMost(WAIT).until(() -> ControlPlane.get().admin().pods().inNamespace(ns)
                .withLabel("berth.dev/app", "web").list().getItems().stream()
                .filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null
                        && p.getStatus().getContainerStatuses().stream().anyMatch(c -> c.getState().getRunning() != null))
                .map(p -> p.getMetadata().getName()).toList(), l -> l.size() == 1).get(0);
        KubeletLogs kubelet = ControlPlane.get().kubelet().logs();
        kubelet.write(ns, pod, AppManifests.CONTAINER, false, "listening on :8080");
        try (HeadlessBrowser browser = new HeadlessBrowser()) {
            browser.driver().get(root.toString().replaceAll("/$", "") + "/t/" + tenant + "/apps/web");
            WebElement log = browser.driver().findElement(By.id("app-log"));
            WebDriverWait wait = new WebDriverWait(browser.driver(), WAIT, Duration.ofMillis(10));
            wait.until(d -> log.getText().contains("listening on :8080"));
            assertThat(log.getText()).contains(RealCluster.REGION + "/" + pod);

            List<Long> latencies = new java.util.ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                String text = "GET /orders/" + i + " 200";
                Instant written = Instant.now();
                kubelet.write(ns, pod, AppManifests.CONTAINER, false, text);
                wait.until(d -> log.getText().contains(text));
                latencies.add(Duration.between(written, Instant.now()).toMillis());
            }
            System.out.println("app log line from pod to browser, ms: " + latencies);
            browser.screenshot("app-page-live-logs");
        }
    }
}
