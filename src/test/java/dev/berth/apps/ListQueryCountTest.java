package dev.berth.apps;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.SqlStatements;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An N+1 guard: the dashboard and the app list read what they show in a fixed number of SQL statements, whether
 * the tenant has 10 apps or 200 (the list asked for all 200 on one page, the dashboard showing its first 50). The
 * dashboard's count is pinned as well, so a part that reads again what another has read shows here (ADR 0029).
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class ListQueryCountTest {
    /**
     * The dashboard's statements: the tenant (access filter), the tenant with its plan, its use, its regions, the
     * page of apps, their placements, the region map, recent activity and members. Was 19 before ADR 0029.
     */
    static final int DASHBOARD_STATEMENTS = 9;
    /** The app list's: the tenant (access filter), the rows with their count, the regions and the placements. */
    static final int APP_LIST_STATEMENTS = 4;

    @Test
    void theDashboardAndTheAppListDoNotQueryPerApp() {
        String slug = Api.uniqueSlug("nplus");
        Map<String, Object> tenant = new HashMap<>(Api.tenant(slug));
        tenant.putAll(Map.of("cpu", "64", "memory", "256Gi", "pods", 500, "apps", 250));
        json().body(tenant).post("/api/v1/tenants").then().statusCode(201);
        createApps(slug, 0, 10);
        int dashboardAt10 = statements("/t/" + slug, "text/html");
        int listAt10 = statements(Api.apps(slug) + "?size=200", "application/json");

        createApps(slug, 10, 200);
        int dashboardAt200 = statements("/t/" + slug, "text/html");
        int listAt200 = statements(Api.apps(slug) + "?size=200", "application/json");

        System.out.printf("SQL statements per request: dashboard %d (10 apps) / %d (200 apps); app list %d / %d%n",
                dashboardAt10, dashboardAt200, listAt10, listAt200);
        assertThat(dashboardAt10).as("statements of the dashboard with 10 apps").isPositive()
                .isLessThanOrEqualTo(DASHBOARD_STATEMENTS);
        assertThat(listAt10).as("statements of the app list with 10 apps").isPositive()
                .isLessThanOrEqualTo(APP_LIST_STATEMENTS);
        assertThat(dashboardAt200).as("statements of the dashboard with 200 apps (was %d with 10)", dashboardAt10)
                .isEqualTo(dashboardAt10);
        assertThat(listAt200).as("statements of the app list with 200 apps (was %d with 10)", listAt10)
                .isEqualTo(listAt10);
    }

    private static void createApps(String slug, int from, int to) {
        for (int i = from; i < to; i++) {
            Map<String, Object> app = Api.app(String.format("a-%03d", i));
            app.put("resources", Map.of("cpuRequest", "10m", "cpuLimit", "50m", "memoryRequest", "16Mi",
                    "memoryLimit", "64Mi"));
            Api.createApp(slug, app);
        }
    }

    /** The statements one GET sends; the same request twice must agree (nothing else is counted). */
    private static int statements(String path, String accept) {
        int first = count(path, accept);
        assertThat(count(path, accept)).as("statements of a second GET %s", path).isEqualTo(first);
        return first;
    }

    private static int count(String path, String accept) {
        Response r = RestAssured.given().accept(accept).header(SqlStatements.REQUEST_HEADER, "1").get(path);
        assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
        String n = r.header(SqlStatements.RESPONSE_HEADER);
        assertThat(n).as("statement count header of GET %s", path).isNotNull();
        return Integer.parseInt(n);
    }
}
