package dev.berth.web;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.deque.html.axecore.results.CheckedNode;
import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import dev.berth.kube.Names;
import dev.berth.metrics.MetricsSampler;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.HeadlessBrowser;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.Routes;
import dev.berth.testsupport.Sandbox;
import dev.berth.testsupport.Users;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Every page a user can reach, checked in Chromium with axe-core (WCAG 2.0 and 2.1 A and AA, and Deque's best
 * practices) in the light and the dark theme, on a tenant that looks used: apps running, progressing and failing,
 * releases, a failed build with its log, a worker and a cron process, a failed one-off run, an autoscaler, HTTPS,
 * usage samples, members, tokens, audit entries, a second region and a security log entry. The test fails on any
 * serious or critical violation, naming the rule, the element and the page. Each page is saved as
 * {@code target/screenshots/page-<name>.png} ({@code -dark} for the dark theme), and
 * {@code target/screenshots/axe-summary.txt} lists per page the violations by impact and the rules passed.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class AccessibilityBrowserTest {
    private static final List<String> TAGS = List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice");
    private static final List<String> IMPACTS = List.of("critical", "serious", "moderate", "minor");
    private static final Set<String> BLOCKING = Set.of("critical", "serious");
    private static final Duration WAIT = Duration.ofSeconds(20);
    /**
     * GET routes that are not pages: parts of the app page its script fetches (each is checked inside the app page,
     * which shows it), and the live streams.
     */
    private static final Set<String> NOT_PAGES = Set.of("/live", "/t/{tenant}/live",
            "/t/{tenant}/apps/{app}/status", "/t/{tenant}/apps/{app}/autoscaling/status",
            "/t/{tenant}/apps/{app}/tls/status", "/t/{tenant}/apps/{app}/processes/status",
            "/t/{tenant}/apps/{app}/metrics/charts", "/t/{tenant}/apps/{app}/releases/regions");

    @TestHTTPResource("/")
    URL root;
    @Inject
    Sandbox sandbox;
    @Inject
    MetricsSampler sampler;

    private HeadlessBrowser headless;
    private MockRegions regions;
    private final List<String> blocking = new ArrayList<>();
    private final List<String> summary = new ArrayList<>();
    private final Set<String> visited = new TreeSet<>();

    @BeforeEach
    void startBrowser() throws IOException {
        headless = new HeadlessBrowser(root);
        // The app page follows its logs and its live parts while axe walks it; on a busy machine Chromium answers a
        // screenshot after that later than the default 30 s allow.
        headless.driver().manage().timeouts().pageLoadTimeout(Duration.ofSeconds(120));
        regions = new MockRegions();
    }

    @AfterEach
    void stopBrowser() throws IOException {
        Users.actAsAdmin();
        if (regions != null) {
            regions.close();
        }
        if (headless != null) {
            headless.close();
        }
    }

    @Test
    void everyPageHasNoSeriousOrCriticalViolationsInEitherTheme() throws Exception {
        World w = world();
        Users.actByCredentials();
        long start = System.nanoTime();
        try {
            signedOutPages();
            headless.signInAsAdmin();
            platformPages(w);
            tenantPages(w);
            appPages(w);
            page("not-found", null, () -> headless.open("/t/no-such-tenant-" + w.tenant));
        } finally {
            writeSummary(start);
        }
        assertThat(visited).as("every page route is checked (a new page belongs in this test)")
                .containsAll(pageRoutes());
        assertThat(blocking).as("serious and critical accessibility violations (rule, impact, element, page)")
                .isEmpty();
    }

    private void signedOutPages() {
        page("login", "/login", () -> headless.open("/login"));
        page("login-refused", "/login", () -> headless.open("/login?error=true"));
    }

    private void platformPages(World w) {
        page("tenants", "/tenants", () -> headless.open("/tenants"));
        page("plans", "/plans", () -> headless.open("/plans"));
        page("regions", "/regions", () -> headless.open("/regions"));
        page("region", "/regions/{region}", () -> headless.open("/regions/" + w.region));
        page("audit-platform", "/audit", () -> headless.open("/audit"));
        page("security-log", "/security", () -> headless.open("/security"));
        page("dead-jobs", "/jobs", () -> headless.open("/jobs"));
    }

    private void tenantPages(World w) {
        String t = "/t/" + w.tenant;
        page("dashboard", "/t/{tenant}", () -> headless.open(t));
        page("new-app", "/t/{tenant}/apps/new", () -> headless.open(t + "/apps/new"));
        page("new-app-form-error", "/t/{tenant}/apps/new", () -> {
            headless.open(t + "/apps/new");
            headless.typeInto(By.cssSelector("#new-app input[name=name]"), "Not_A_Name");
            headless.typeInto(By.cssSelector("#new-app input[name=image]"), "registry.example.com/t/x:1");
            headless.driver().findElement(By.cssSelector("#new-app button[type=submit]")).click();
            headless.waitFor(ExpectedConditions.presenceOfElementLocated(By.id("f-name-error")));
        });
        page("settings", "/t/{tenant}/settings", () -> headless.open(t + "/settings"));
        page("members", "/t/{tenant}/members", () -> headless.open(t + "/members"));
        page("tokens", "/t/{tenant}/tokens", () -> headless.open(t + "/tokens"));
        page("token-created", "/t/{tenant}/tokens", () -> {
            headless.open(t + "/tokens");
            headless.typeInto(By.cssSelector("#create-token input[name=name]"), "gitlab-ci");
            headless.driver().findElement(By.cssSelector("#create-token button[type=submit]")).click();
            headless.waitFor(ExpectedConditions.presenceOfElementLocated(By.id("token-secret")));
        });
        page("audit", "/t/{tenant}/audit", () -> headless.open(t + "/audit"));
    }

    private void appPages(World w) {
        String t = "/t/" + w.tenant;
        String app = t + "/apps/web";
        page("app", "/t/{tenant}/apps/{app}", () -> {
            headless.open(app);
            headless.waitFor(d -> headless.text("#processes").contains("nightly")
                    && !d.findElements(By.cssSelector("#metrics svg")).isEmpty(), WAIT);
        });
        page("app-degraded", "/t/{tenant}/apps/{app}", () -> {
            headless.open(t + "/apps/crashing");
            headless.waitFor(d -> headless.text("#live").contains("Degraded"), WAIT);
        });
        page("app-progressing", "/t/{tenant}/apps/{app}", () -> headless.open(t + "/apps/waiting"));
        page("app-delete", "/t/{tenant}/apps/{app}/delete", () -> headless.open(app + "/delete"));
        page("app-delete-refused", "/t/{tenant}/apps/{app}/delete", () -> {
            headless.open(app + "/delete");
            headless.typeInto(By.id("confirm-confirm"), "not-web");
            headless.driver().findElement(By.cssSelector("#delete button[type=submit]")).click();
            headless.waitFor(ExpectedConditions.presenceOfElementLocated(By.id("confirm-confirm-error")));
        });
        page("builds", "/t/{tenant}/apps/{app}/builds", () -> headless.open(app + "/builds"));
        page("build", "/t/{tenant}/apps/{app}/builds/{number}", () -> headless.open(app + "/builds/1"));
        page("releases", "/t/{tenant}/apps/{app}/releases", () -> headless.open(app + "/releases"));
        page("autoscaling", "/t/{tenant}/apps/{app}/autoscaling", () -> headless.open(app + "/autoscaling"));
        page("tls", "/t/{tenant}/apps/{app}/tls", () -> headless.open(app + "/tls"));
        page("processes", "/t/{tenant}/apps/{app}/processes", () -> headless.open(app + "/processes"));
        page("run", "/t/{tenant}/apps/{app}/runs/{id}", () -> headless.open(app + "/runs/" + w.run));
    }

    /**
     * Shows a page, then checks it with axe in the light and the dark theme and saves a screenshot of each. The
     * route is the page's path template, so the test can tell that every page route was visited.
     */
    private void page(String name, String route, Runnable show) {
        if (route != null) {
            visited.add(route);
        }
        headless.darkTheme(false);
        show.run();
        check(name, "light");
        headless.darkTheme(true);
        check(name + "-dark", "dark");
        headless.darkTheme(false);
    }

    private void check(String name, String theme) {
        // Legacy mode runs axe in the page in one call. The default mode finishes its run in a new blank window
        // that must load within one second, which a busy machine misses; Berth's pages have no frames to combine.
        // The app page takes axe several seconds on an idle machine, so it gets two minutes instead of 30 s.
        Results results = new AxeBuilder().withTags(TAGS).setLegacyMode(true).setTimeout(120)
                .analyze(headless.driver());
        assertThat(results.isErrored()).as("axe ran on " + name + ": " + results.getErrorMessage()).isFalse();
        headless.screenshot("page-" + name);
        Map<String, int[]> byImpact = new TreeMap<>();
        for (Rule rule : results.getViolations()) {
            String impact = rule.getImpact() == null ? "minor" : rule.getImpact();
            int[] counts = byImpact.computeIfAbsent(impact, k -> new int[2]);
            counts[0]++;
            counts[1] += rule.getNodes().size();
            if (BLOCKING.contains(impact)) {
                for (CheckedNode node : rule.getNodes()) {
                    blocking.add(rule.getId() + " (" + impact + ") at " + node.getTarget() + " on " + name + " ("
                            + headless.driver().getCurrentUrl() + "): " + rule.getHelp() + ". "
                            + String.valueOf(node.getFailureSummary()).replace('\n', ' '));
                }
            }
        }
        String violations = IMPACTS.stream().map(i -> {
            int[] c = byImpact.getOrDefault(i, new int[2]);
            return i + " " + c[0] + (c[0] == 0 ? "" : " (" + c[1] + " elements)");
        }).collect(Collectors.joining(", "));
        summary.add(String.format("%-32s %-6s %s; passes %d: %s", "page-" + name, theme, violations,
                results.getPasses().size(), results.getViolations().stream()
                        .map(r -> r.getId() + "/" + r.getImpact()).collect(Collectors.joining(" "))));
    }

    private void writeSummary(long start) throws IOException {
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        List<String> lines = new ArrayList<>();
        lines.add("axe-core " + TAGS + ", Chromium; " + summary.size() + " page views in " + seconds + " s");
        lines.add(String.format("%-32s %-6s %s", "page", "theme",
                "violations by impact (rules, elements); rules passed: rules violated/impact"));
        lines.addAll(summary);
        lines.add("");
        lines.add(blocking.isEmpty() ? "No serious or critical violations."
                : blocking.size() + " serious or critical violations:");
        lines.addAll(blocking);
        Path dir = Files.createDirectories(Path.of("target", "screenshots"));
        Files.write(dir.resolve("axe-summary.txt"), lines);
        System.out.println(String.join(System.lineSeparator(), lines));
    }

    /** Every GET route outside the API, the management paths and the webhooks that renders a page. */
    private static Set<String> pageRoutes() {
        return Routes.all().entrySet().stream().filter(e -> e.getValue().contains("get"))
                .map(Map.Entry::getKey)
                .filter(p -> !p.startsWith("/api/") && !p.startsWith("/q/") && !p.startsWith("/hooks/"))
                .filter(p -> !NOT_PAGES.contains(p)).collect(Collectors.toCollection(TreeSet::new));
    }

    /** What the pages show: the tenant, its second region and the one-off run that failed. */
    private record World(String tenant, String region, int run) {
    }

    private World world() throws IOException {
        String slug = MockRegions.tenant("a11y");
        String region = "a11y-" + slug.substring(slug.length() - 8);
        regions.register(region, 52.5, 13.4, slug);
        Api.putMember(slug, "alice", "developer");
        Api.putMember(slug, "bob", "viewer");

        Map<String, Object> web = new LinkedHashMap<>(Api.app("web"));
        web.put("replicas", 2);
        web.put("env", Map.of("GREETING", "hello"));
        web.put("secretEnv", Map.of("DB_PASSWORD", "s3cret"));
        Api.createApp(slug, web);
        String app = Api.app(slug, "web");
        json().body(Map.of("image", "registry.example.com/team/web:1.1")).patch(app).then().statusCode(200);
        json().body(Map.of("primary", Sandbox.REGION, "replicas", List.of(region), "allRegions", false))
                .put(app + "/placement").then().statusCode(200);
        json().body(Map.of("minReplicas", 2, "maxReplicas", 4, "cpuPercent", 70)).put(app + "/autoscaling").then()
                .statusCode(200);
        json().body(Map.of("mode", "cert-manager")).put(app + "/tls").then().statusCode(200);
        json().body(Map.of("processes", List.of(
                Map.of("name", "jobs", "type", "worker", "command", List.of("bin/worker"), "replicas", 1),
                Map.of("name", "nightly", "type", "cron", "command", List.of("bin/report"), "schedule", "0 3 * * *"))))
                .put(app + "/processes").then().statusCode(200);
        int run = json().body(Map.of("command", List.of("sh", "-c", "bin/seed; exit 3"))).post(app + "/runs").then()
                .statusCode(201).extract().path("id");
        // A build that fails at once (nothing listens on the discard port): a finished build with its log.
        json().body(Map.of("repoUrl", "http://127.0.0.1:9/web.git")).put(app + "/source").then().statusCode(200);
        json().body("{}").post(app + "/builds").then().statusCode(201);
        Api.createApp(slug, Map.of("name", "crashing", "image", "registry.example.com/team/crash:1"));
        Api.createApp(slug, Map.of("name", "waiting", "image", "registry.example.com/team/never-ready:1"));

        json().body(Map.of("name", "github-actions", "role", "developer", "app", "web")).post(tokens(slug)).then()
                .statusCode(201);
        long revoked = ((Number) json().body(Map.of("name", "old-ci", "role", "viewer")).post(tokens(slug)).then()
                .statusCode(201).extract().path("token.id")).longValue();
        json().delete(tokens(slug) + "/" + revoked).then().statusCode(204);
        // A stranger's refused request, for the security log.
        Users.actAs("mallory");
        json().get("/api/v1/tenants/" + slug).then().statusCode(404);
        Users.actAsAdmin();

        await().atMost(WAIT).until(() -> List.of("failed", "succeeded")
                .contains(json().get(app + "/builds/1").then().extract().<String>path("state")));
        await().atMost(WAIT).until(() -> "failed".equals(json().get(app + "/runs/" + run).then().statusCode(200)
                .extract().path("state")));
        sandbox.settle();
        await().atMost(WAIT).until(() -> sandbox.cluster().cache().podsOf(Names.namespace(slug), "web").stream()
                .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).count() >= 2);
        Instant now = Instant.now();
        for (int i = 4; i >= 1; i--) {
            sampler.sample(now.minus(Duration.ofMinutes(10L * i)));
        }
        return new World(slug, region, run);
    }

    private static String tokens(String tenant) {
        return "/api/v1/tenants/" + tenant + "/tokens";
    }
}
