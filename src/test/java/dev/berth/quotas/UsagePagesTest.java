package dev.berth.quotas;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Users;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The usage charts as people see them, rendered on the server from real samples: one inline SVG chart per measure
 * with its limit line on the tenant dashboard, and the platform admins' list of tenants near or over their limits,
 * with the "growth refused" flag where a limit was lowered below use. No JavaScript is involved.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class UsagePagesTest {
    private static final Pattern FIGURE = Pattern.compile("<figure class=\"usage-chart[^\"]*\" data-measure=\"([^\"]+)\""
            + " data-state=\"([^\"]+)\" data-used=\"(\\d+)\" data-limit=\"(\\d+)\" data-points=\"(\\d+)\">(.*?)</figure>",
            Pattern.DOTALL);

    @Inject
    UsageSampler sampler;
    @Inject
    EntityManager em;

    /** A drawn chart as the page carries it. */
    record Chart(String measure, String state, long used, long limit, int points, String body) {
        List<double[]> line(String cssClass) {
            Matcher m = Pattern.compile("<polyline class=\"" + cssClass + "\" points=\"([^\"]+)\"").matcher(body);
            assertThat(m.find()).as(cssClass + " line of " + measure).isTrue();
            List<double[]> points = new ArrayList<>();
            for (String p : m.group(1).trim().split(" ")) {
                String[] xy = p.split(",");
                points.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
            }
            return points;
        }
    }

    /** The labels of a chart's grid lines, bottom up. */
    static List<String> ticks(Chart c) {
        Matcher m = Pattern.compile("<text class=\"scale\"[^>]*>([^<]*)</text>").matcher(c.body());
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static Map<String, Chart> charts(String html) {
        Map<String, Chart> out = new LinkedHashMap<>();
        Matcher m = FIGURE.matcher(html);
        while (m.find()) {
            out.put(m.group(1), new Chart(m.group(1), m.group(2), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4)), Integer.parseInt(m.group(5)), m.group(6)));
        }
        return out;
    }

    @Test
    void theDashboardDrawsEachMeasureAgainstItsLimitAndFlagsALimitLoweredBelowUse() {
        String slug = UsageHistoryTest.busyTenant("chart");
        Instant twoHoursAgo = Instant.now().minus(Duration.ofHours(2));
        sampler.sample(twoHoursAgo);
        // One more app an hour later, then the pods limit lowered below use and the apps limit to exactly the use.
        Api.createApp(slug, Api.app("extra"));
        sampler.sample(twoHoursAgo.plus(Duration.ofHours(1)));
        json().body(Map.of("pods", 3, "apps", 3)).put("/api/v1/tenants/" + slug).then().statusCode(200);

        String html = given().accept("text/html").get("/t/" + slug).then().statusCode(200).extract().asString();
        Map<String, Chart> charts = charts(html);
        assertThat(charts.keySet()).containsExactly("apps", "pods", "cpuRequest", "memoryRequest",
                "buildMinutesPerMonth");
        Chart pods = charts.get("pods");
        assertThat(pods.used()).isEqualTo(4);
        assertThat(pods.limit()).isEqualTo(3);
        assertThat(pods.state()).isEqualTo("over");
        assertThat(pods.body()).contains("over limit: growth refused").contains("4 of 3 · 133%");
        // Two hourly samples and the current use; the use rises, the limit drops from 10 to 3 at the end.
        assertThat(pods.points()).isEqualTo(3);
        List<double[]> used = pods.line("used");
        assertThat(used).hasSize(3);
        assertThat(used.get(2)[1]).as("higher use is drawn higher (smaller y)").isLessThan(used.get(0)[1]);
        List<double[]> limit = pods.line("limit");
        assertThat(limit).hasSize(6);
        assertThat(limit.get(0)[0]).as("the limit line starts at the chart's left edge").isEqualTo(2.0);
        assertThat(limit.get(5)[1]).as("the lowered limit is drawn below the use").isGreaterThan(used.get(2)[1]);
        assertThat(limit.get(0)[1]).as("the earlier limit of 10 is above the use").isLessThan(used.get(0)[1]);
        // The axis: labelled in the measure's unit, from 0 to a round value at or above use and limit.
        assertThat(ticks(pods)).containsExactly("0", "5", "10");
        assertThat(ticks(charts.get("cpuRequest"))).containsExactly("0", "1 core", "2 cores");
        assertThat(ticks(charts.get("memoryRequest"))).containsExactly("0", "2 GiB", "4 GiB");
        assertThat(pods.body()).contains(">limit 3</text>");
        assertThat(charts.get("cpuRequest").body()).contains(">limit 2 cores</text>");
        assertThat(charts.get("memoryRequest").body()).contains(">limit 4 GiB</text>");

        Chart apps = charts.get("apps");
        assertThat(apps.state()).isEqualTo("near");
        assertThat(apps.body()).contains("3 of 3 · 100%").contains("near limit");
        Chart cpu = charts.get("cpuRequest");
        assertThat(cpu.state()).isEqualTo("ok");
        assertThat(cpu.body()).contains("400m of 2 · 20%").doesNotContain("near limit");
        assertThat(charts.get("memoryRequest").body()).contains("512Mi of 4Gi");
        assertThat(html).contains("href=\"/api/v1/tenants/" + slug + "/usage/export\"")
                .contains("Over its limit (pods)");
        String section = html.substring(html.indexOf("id=\"usage\""), html.indexOf("</section>",
                html.indexOf("id=\"usage\"")));
        assertThat(section).doesNotContain("<script").doesNotContain("src=").doesNotContain("https://");
    }

    @Test
    @TestSecurity(user = "alice")
    void aNewTenantsChartsShowItsCurrentUseAndMembersSeeThem() {
        String[] slug = new String[1];
        Users.asAdminThen("alice", () -> slug[0] = Api.createTenant("fresh", "alice"));
        Map<String, Chart> charts = charts(given().accept("text/html").get("/t/" + slug[0]).then().statusCode(200)
                .extract().asString());
        assertThat(charts).hasSize(5);
        assertThat(charts.values()).allSatisfy(c -> {
            assertThat(c.points()).isEqualTo(1);
            assertThat(c.used()).isZero();
            assertThat(c.state()).isEqualTo("ok");
        });
        assertThat(charts.get("pods").limit()).isEqualTo(20);
        // Members do not get the platform admins' watch list.
        assertThat(given().accept("text/html").get("/tenants").then().statusCode(200).extract().asString())
                .doesNotContain("usage-watch");
    }

    @Test
    void theAdminOverviewHighlightsTenantsNearOrOverTheirLimits() {
        String over = UsageHistoryTest.busyTenant("aa-over");
        String near = UsageHistoryTest.busyTenant("aa-near");
        String calm = UsageHistoryTest.busyTenant("aa-calm");
        json().body(Map.of("pods", 2)).put("/api/v1/tenants/" + over).then().statusCode(200);
        json().body(Map.of("apps", 2)).put("/api/v1/tenants/" + near).then().statusCode(200);
        // The latest interval: one in the future, so no other test's sample is later.
        Instant latest = Instant.now().plus(Duration.ofDays(500));
        sampler.sample(latest.minus(Duration.ofHours(1)));
        sampler.sample(latest);
        try {
            UsageHistoryTest.onlyTheseIn(em, sampler.slot(latest), over, near, calm);
            String html = given().accept("text/html").get("/tenants").then().statusCode(200).extract().asString();
            String watch = html.substring(html.indexOf("id=\"usage-watch\""), html.indexOf("</section>",
                    html.indexOf("id=\"usage-watch\"")));
            String overRow = row(watch, over);
            assertThat(overRow).contains("class=\"over-limit\"").contains("over limit: growth refused")
                    .contains("pods over");
            Map<String, Chart> overChart = charts(overRow);
            assertThat(overChart).containsOnlyKeys("pods");
            assertThat(overChart.get("pods").points()).isEqualTo(2);
            assertThat(overChart.get("pods").state()).isEqualTo("over");
            String nearRow = row(watch, near);
            assertThat(nearRow).contains("class=\"near-limit\"").contains("apps near")
                    .doesNotContain("growth refused");
            assertThat(watch).doesNotContain(calm);

            // The tenant list itself marks the same tenants from their live use.
            String list = html.substring(html.indexOf("<table class=\"grid tenants\">"));
            assertThat(list).containsPattern("<tr class=\"over-limit\">\\s*<td><a href=\"/t/" + over
                    + "\"><strong>" + over + "</strong></a> <span class=\"badge over\">over limit: growth refused");
            assertThat(list).containsPattern("<tr class=\"near-limit\">\\s*<td><a href=\"/t/" + near + "\"");
            assertThat(list).containsPattern("<tr>\\s*<td><a href=\"/t/" + calm + "\"");
        } finally {
            UsageHistoryTest.deleteFutureSamples(em);
        }
    }

    private static String row(String html, String tenant) {
        int at = html.indexOf("data-tenant=\"" + tenant + "\"");
        assertThat(at).as("row of " + tenant).isPositive();
        return html.substring(html.lastIndexOf("<tr", at), html.indexOf("</tr>", at));
    }
}
