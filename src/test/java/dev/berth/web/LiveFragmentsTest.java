package dev.berth.web;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/**
 * No form lives inside a part of a page that a live update replaces (docs/ui.md, ADR 0027), so a morph can never
 * wipe what a user types. Every page with {@code data-live} or {@code data-refresh} parts is rendered for a tenant
 * that has something in each of them (releases with a rollout waiting to be promoted, an autoscaler, HTTPS,
 * processes and a run, a failed build, members, a secret), the parts fetched from their own address too, and no
 * {@code form}, {@code input}, {@code textarea} or {@code select} may sit in such a part unless it is in a form marked
 * {@code data-keep}: {@code "action"} (buttons and hidden fields only: nothing typed to lose) or {@code "field"}
 * (one field that follows the server until the user types into it, which the morph then keeps).
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class LiveFragmentsTest {
    private static final Path TEMPLATES = Path.of("src/main/resources/templates");
    /** The attribute itself, not {@code data-live-color} and the like. */
    private static final Pattern LIVE_ATTRIBUTE = Pattern.compile("\\bdata-(live|refresh)(?![-\\w])");
    private static final String LIVE_PARTS = "[data-live], [data-refresh]";
    private static final String FORM_PARTS = "form, input, textarea, select";

    @Test
    void noPageHasAFormInsideAPartThatALiveUpdateReplaces() {
        String slug = realisticTenant();
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("TenantPages/dashboard.html", "/t/" + slug);
        pages.put("tags/usageCharts.html", "/t/" + slug);
        pages.put("AppPages/detail.html", "/t/" + slug + "/apps/web");
        pages.put("BuildPages/list.html", "/t/" + slug + "/apps/web/builds");
        pages.put("ReleasePages/page.html", "/t/" + slug + "/apps/web/releases");
        pages.put("OverviewPages/tenants.html", "/tenants");
        pages.put("tags/usageWatch.html", "/tenants");
        pages.put("RegionPages/regions.html", "/regions");
        pages.put("RegionPages/region.html", "/regions/" + Sandbox.REGION);
        assertThat(templatesWithLiveParts()).as("every template with live parts is rendered here")
                .containsExactlyInAnyOrderElementsOf(pages.keySet());

        List<String> checked = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        for (String path : new TreeSet<>(pages.values())) {
            Document page = Jsoup.parse(given().accept("text/html").get(path).then().statusCode(200).extract()
                    .asString());
            List<Element> parts = page.select(LIVE_PARTS);
            assertThat(parts).as(path + " has live parts").isNotEmpty();
            for (Element part : parts) {
                if (part.hasAttr("data-live")) {
                    assertThat(part.id()).as(path + ": a data-live part is matched by its id").isNotBlank();
                    assertThat(page.select("#" + part.id())).as(path + ": #" + part.id() + " is unique").hasSize(1);
                }
                String name = path + " " + describe(part);
                broken.addAll(formsIn(name, part));
                checked.add(name);
                if (part.hasAttr("data-refresh")) {
                    String url = part.attr("data-refresh");
                    Element fragment = Jsoup.parseBodyFragment(given().accept("text/html")
                            .header("X-Berth-Fragment", "1").get(url).then().statusCode(200).extract().asString())
                            .body();
                    broken.addAll(formsIn(url + " (in " + name + ")", fragment));
                    checked.add(url);
                }
            }
        }
        System.out.printf("live parts checked (%d):%n  %s%n", checked.size(), String.join("\n  ", checked));
        assertThat(broken).as("form elements inside live parts, not in a form marked data-keep").isEmpty();
        assertThat(checked).as("the parts that carry kept forms were rendered with them")
                .anyMatch(c -> c.contains("id=\"scale\"")).anyMatch(c -> c.endsWith("/releases"));
    }

    /**
     * The form elements inside a live part that are not in a kept form, and every kept form that does not keep to
     * what its mark says.
     */
    private static List<String> formsIn(String name, Element part) {
        List<String> broken = new ArrayList<>();
        for (Element e : part.select(FORM_PARTS)) {
            Element kept = e.closest("form[data-keep]");
            if (kept == null) {
                broken.add(name + ": " + describe(e));
            }
        }
        for (Element form : part.select("form[data-keep]")) {
            String mark = form.attr("data-keep");
            long typed = form.select("input:not([type=hidden]), textarea, select").size();
            boolean keeps = switch (mark) {
                case "action" -> typed == 0;
                case "field" -> typed == 1 && form.select("textarea, select").isEmpty();
                default -> false;
            };
            if (!keeps) {
                broken.add(name + ": form marked data-keep=\"" + mark + "\" has " + typed + " typed field(s): "
                        + describe(form));
            }
        }
        return broken;
    }

    private static String describe(Element e) {
        StringBuilder s = new StringBuilder("<").append(e.tagName());
        for (String a : List.of("id", "name", "type", "action", "data-refresh", "data-keep")) {
            if (e.hasAttr(a)) {
                s.append(' ').append(a).append("=\"").append(e.attr(a)).append('"');
            }
        }
        return s.append('>').toString();
    }

    /** The templates (pages and tags) that mark a part {@code data-live} or {@code data-refresh}. */
    private static List<String> templatesWithLiveParts() {
        try (Stream<Path> files = Files.walk(TEMPLATES)) {
            return files.filter(p -> p.toString().endsWith(".html")).filter(p -> {
                try {
                    return LIVE_ATTRIBUTE.matcher(Files.readString(p)).find();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).map(p -> TEMPLATES.relativize(p).toString().replace('\\', '/')).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A tenant whose pages have something in every live part: a member, a secret, an app of three releases whose
     * blue/green rollout waits to be promoted (Promote, Abort and rollback confirmations), an autoscaler, HTTPS by
     * cert-manager, a worker and a cron, a failed one-off run and a failed build.
     */
    private static String realisticTenant() {
        String slug = Api.uniqueSlug("frag");
        // Room for both colours of the autoscaled app, its worker and a run at once.
        Map<String, Object> tenant = new LinkedHashMap<>(Api.tenant(slug, "admin"));
        tenant.putAll(Map.of("cpu", "16", "memory", "32Gi", "pods", 40));
        json().body(tenant).post("/api/v1/tenants").then().statusCode(201);
        Api.putMember(slug, "alice", "developer");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 2,
                "secretEnv", Map.of("DB_PASSWORD", "s3cret")));
        String app = Api.app(slug, "web");
        json().body(Map.of("minReplicas", 2, "maxReplicas", 4, "cpuPercent", 70)).put(app + "/autoscaling").then()
                .statusCode(200);
        json().body(Map.of("mode", "cert-manager")).put(app + "/tls").then().statusCode(200);
        json().body(Map.of("processes", List.of(
                Map.of("name", "jobs", "type", "worker", "command", List.of("bin/worker"), "replicas", 1),
                Map.of("name", "nightly", "type", "cron", "command", List.of("bin/report"), "schedule", "0 3 * * *"))))
                .put(app + "/processes").then().statusCode(200);
        json().body(Map.of("command", List.of("sh", "-c", "exit 3"))).post(app + "/runs").then().statusCode(201);
        json().body(Map.of("repoUrl", "git://127.0.0.1:9/none.git", "ref", "main")).put(app + "/source").then()
                .statusCode(200);
        json().post(app + "/builds").then().statusCode(201);
        awaitRollout(app, "succeeded");
        json().body(Map.of("strategy", "blue-green", "autoPromote", false, "holdSeconds", 60,
                "progressDeadlineSeconds", 30)).put(app + "/deploy-settings").then().log().ifValidationFails().statusCode(200);
        awaitRollout(app, "succeeded");
        json().body(Map.of("image", "registry.example.com/t/web:2")).post(app + "/releases").then().statusCode(202);
        awaitRollout(app, "awaiting-promote");
        return slug;
    }

    private static void awaitRollout(String app, String state) {
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> state.equals(
                json().get(app + "/releases/rollout").then().statusCode(200).extract().path("state")));
    }
}
