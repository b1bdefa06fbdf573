package dev.berth.quotas;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Users;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/**
 * Usage history against the real PostgreSQL: the sampler driven with given times (no waiting for its schedule),
 * one sample per tenant and interval however many instances sample, retention, and the usage API and its exports.
 * The test profile does not sample on a schedule; tests sample past intervals, or a future one where a test needs
 * "the latest sample" whatever other tests sampled.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class UsageHistoryTest {
    @Inject
    UsageSampler sampler;
    @Inject
    QuotaService quotas;
    @Inject
    EntityManager em;

    /** A tenant (5 apps, 10 pods, 2 CPU, 4Gi) using 2 apps, 3 pods, 300m CPU and 384Mi, and 3 build minutes. */
    static String busyTenant(String prefix) {
        String slug = Api.uniqueSlug(prefix);
        json().body(Map.of("slug", slug, "cpu", "2", "memory", "4Gi", "pods", 10, "apps", 5, "owners",
                List.of("admin"), "overrides", Map.of("buildMinutesPerMonth", 10))).post("/api/v1/tenants").then()
                .statusCode(201);
        Map<String, Object> web = new LinkedHashMap<>(Api.app("web"));
        web.put("replicas", 2);
        web.put("resources", Map.of("cpuRequest", "100m", "cpuLimit", "200m", "memoryRequest", "128Mi",
                "memoryLimit", "256Mi"));
        Api.createApp(slug, web);
        Map<String, Object> worker = new LinkedHashMap<>(Api.app("worker"));
        worker.put("resources", Map.of("cpuRequest", "100m", "cpuLimit", "200m", "memoryRequest", "128Mi",
                "memoryLimit", "256Mi"));
        Api.createApp(slug, worker);
        return slug;
    }

    static long id(String slug) {
        return QuarkusTransaction.requiringNew().call(() -> Tenant.findBySlug(slug).id);
    }

    @SuppressWarnings("unchecked")
    private List<Object[]> rows(long tenantId) {
        return QuarkusTransaction.requiringNew().call(() -> (List<Object[]>) em.createNativeQuery("select sampled_at, apps, pods, "
                + "cpu_request_millis, memory_request_bytes, build_seconds_month, limit_apps, limit_pods, "
                + "limit_cpu_request, limit_build_minutes from usage_sample where tenant_id = ?1 order by sampled_at")
                .setParameter(1, tenantId).getResultList());
    }

    private long tenantCount() {
        return QuarkusTransaction.requiringNew().call(() -> Tenant.count());
    }

    @Test
    void aSampleRecordsUseAndLimitsOncePerIntervalWhateverTheNumberOfInstances() throws Exception {
        String slug = busyTenant("sample");
        long t = id(slug);
        quotas.recordBuildMinutes(t, Duration.ofSeconds(150));
        Instant at = Instant.now().minus(40, ChronoUnit.MINUTES);

        int written = sampler.sample(at);
        assertThat(written).isEqualTo(tenantCount());
        List<Object[]> rows = rows(t);
        assertThat(rows).hasSize(1);
        Object[] r = rows.get(0);
        assertThat(toInstant(r[0])).isEqualTo(sampler.slot(at));
        assertThat(sampler.slot(at).toEpochMilli() % Duration.ofMinutes(5).toMillis()).isZero();
        assertThat(List.of(r[1], r[2], r[3], r[4], r[6], r[7], r[8], r[9]).stream().map(o -> ((Number) o).longValue())
                .toList()).containsExactly(2L, 3L, 300L, 384L << 20, 5L, 10L, 2000L, 10L);
        if (QuotaService.month(at).equals(QuotaService.month(Instant.now()))) {
            assertThat(((Number) r[5]).longValue()).isEqualTo(150);
        }

        // A second instance sampling the same interval (a little later) adds nothing.
        assertThat(sampler.sample(at.plusSeconds(1))).isZero();
        assertThat(sampler.sample(sampler.slot(at).plus(Duration.ofMinutes(5)).minusMillis(1))).isZero();
        assertThat(rows(t)).hasSize(1);

        // Two instances sampling the next interval at the same moment: one row per tenant between them.
        Instant next = sampler.slot(at).plus(Duration.ofMinutes(5));
        CyclicBarrier together = new CyclicBarrier(2);
        List<CompletableFuture<Integer>> both = List.of(1, 2).stream().map(i -> CompletableFuture.supplyAsync(() -> {
            try {
                together.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return sampler.sample(next);
        })).toList();
        int sum = both.stream().mapToInt(CompletableFuture::join).sum();
        assertThat(sum).isEqualTo(tenantCount());
        assertThat(rows(t)).hasSize(2);
    }

    @Test
    void aSampleCountsWorkerAndCronPodsAsTheQuotaDoes() {
        String slug = busyTenant("procsample");
        long t = id(slug);
        Map<String, Object> worker = new LinkedHashMap<>(Map.of("name", "jobs", "type", "worker", "command",
                List.of("bin/worker"), "replicas", 2, "resources", Map.of("cpuRequest", "50m", "cpuLimit", "100m",
                        "memoryRequest", "64Mi", "memoryLimit", "128Mi")));
        Map<String, Object> cron = new LinkedHashMap<>(Map.of("name", "nightly", "type", "cron", "command",
                List.of("bin/report"), "schedule", "0 3 * * *", "resources", Map.of("cpuRequest", "50m",
                        "cpuLimit", "100m", "memoryRequest", "64Mi", "memoryLimit", "128Mi")));
        json().body(Map.of("processes", List.of(worker, cron))).put(Api.app(slug, "web") + "/processes").then()
                .statusCode(200);
        JsonPath live = json().get("/api/v1/tenants/" + slug + "/usage").then().statusCode(200).extract().jsonPath();
        int pods = live.getInt("measures.find { it.name == 'pods' }.used");
        long cpu = live.getLong("measures.find { it.name == 'cpuRequest' }.used");
        assertThat(pods).as("3 web pods + 2 workers + 1 cron").isEqualTo(6);
        assertThat(cpu).as("300m for the web pods + 3 x 50m").isEqualTo(450);
        // The tenant's own view and the tenant list count as the quota does, as the dashboard shows it.
        json().get("/api/v1/tenants/" + slug).then().statusCode(200).body("usage.pods", equalTo(pods))
                .body("usage.cpuMillis", equalTo((int) cpu)).body("usage.apps", equalTo(2));
        json().queryParam("q", slug).get("/api/v1/tenants").then().statusCode(200)
                .body("items.find { it.slug == '" + slug + "' }.usage.pods", equalTo(pods))
                .body("items.find { it.slug == '" + slug + "' }.usage.cpuMillis", equalTo((int) cpu));

        sampler.sample(Instant.now().minus(50, ChronoUnit.MINUTES));
        Object[] r = rows(t).get(0);
        assertThat(((Number) r[1]).longValue()).as("apps").isEqualTo(2);
        assertThat(((Number) r[2]).longValue()).as("the history's pods are the quota's").isEqualTo(pods);
        assertThat(((Number) r[3]).longValue()).as("the history's CPU requests are the quota's").isEqualTo(cpu);
        assertThat(((Number) r[4]).longValue()).isEqualTo((384L << 20) + 3 * (64L << 20));
    }

    @Test
    void samplesOlderThanTheRetentionArePrunedAndAtLeast30DaysAreKept() {
        String slug = busyTenant("prune");
        long t = id(slug);
        Instant now = Instant.now();
        assertThat(sampler.retention()).isEqualTo(Duration.ofDays(35));
        sampler.sample(now.minus(Duration.ofDays(36)));
        sampler.sample(now.minus(Duration.ofDays(34)));
        sampler.sample(now.minus(Duration.ofDays(29)));
        assertThat(rows(t)).hasSize(3);

        assertThat(sampler.prune(now)).isGreaterThanOrEqualTo(1);
        List<Object[]> kept = rows(t);
        assertThat(kept).hasSize(2);
        assertThat(toInstant(kept.get(0)[0])).isAfter(now.minus(Duration.ofDays(35)));
    }

    @Test
    void theApiShowsCurrentUseAgainstLimitsAndFlagsALimitLoweredBelowUse() {
        String slug = busyTenant("now");
        String usage = "/api/v1/tenants/" + slug + "/usage";
        json().get(usage).then().statusCode(200).body("tenant", equalTo(slug)).body("growthRefused", equalTo(false))
                .body("measures.find { it.name == 'pods' }.used", equalTo(3))
                .body("measures.find { it.name == 'pods' }.limit", equalTo(10))
                .body("measures.find { it.name == 'pods' }.state", equalTo("ok"))
                .body("measures.find { it.name == 'cpuRequest' }.used", equalTo(300))
                .body("measures.find { it.name == 'cpuRequest' }.usedText", equalTo("300m"))
                .body("measures.find { it.name == 'memoryRequest' }.limitText", equalTo("4Gi"));

        json().body(Map.of("pods", 2, "apps", 2)).put("/api/v1/tenants/" + slug).then().statusCode(200);
        json().get(usage).then().statusCode(200).body("growthRefused", equalTo(true))
                .body("overLimits", equalTo(List.of("pods"))).body("nearLimits", hasItem("apps"))
                .body("measures.find { it.name == 'pods' }.state", equalTo("over"))
                .body("measures.find { it.name == 'pods' }.percent", equalTo(150));

        // Every member may read it, viewers included.
        Api.putMember(slug, "vera", "viewer");
        Users.actAs("vera");
        json().get(usage).then().statusCode(200).body("overLimits", equalTo(List.of("pods")));
        json().get(usage + "/history").then().statusCode(200);
        json().get("/api/v1/usage/history").then().statusCode(403);
        json().get("/api/v1/usage/export").then().statusCode(403);
        json().get("/api/v1/usage").then().statusCode(403);
    }

    @Test
    void historyIsReadByRangeAndExportedAsCsvAndJson() {
        String slug = busyTenant("hist");
        String other = busyTenant("hist-other");
        Instant base = sampler.slot(Instant.now().minus(Duration.ofHours(3)));
        for (int i = 0; i < 3; i++) {
            sampler.sample(base.plus(Duration.ofMinutes(5L * i)));
        }
        String usage = "/api/v1/tenants/" + slug + "/usage";
        String to = base.plus(Duration.ofMinutes(15)).toString();
        JsonPath all = json().queryParam("from", base.toString()).queryParam("to", to).get(usage + "/history").then().statusCode(200)
                .extract().jsonPath();
        assertThat(all.getList("samples")).hasSize(3);
        assertThat(all.getString("interval")).isEqualTo("PT5M");
        assertThat(all.getString("samples[0].at")).isEqualTo(base.toString());
        assertThat(all.getInt("samples[0].pods")).isEqualTo(3);
        assertThat(all.getInt("samples[0].podsLimit")).isEqualTo(10);
        assertThat(all.getLong("samples[0].memoryRequestBytes")).isEqualTo(384L << 20);
        json().queryParam("from", base.toString()).queryParam("to", base.plus(Duration.ofMinutes(10)).toString())
                .get(usage + "/history").then().statusCode(200).body("samples.size()", equalTo(2));
        // The default range is the last 24 hours.
        assertThat(json().get(usage + "/history").then().statusCode(200).extract().jsonPath().getList("samples"))
                .hasSizeGreaterThanOrEqualTo(3);

        String csv = given().queryParam("from", base.toString()).queryParam("to", to).get(usage + "/export").then().statusCode(200)
                .contentType(containsString("text/csv"))
                .header("Content-Disposition", containsString("attachment; filename=\"usage-" + slug)).extract()
                .asString();
        List<String> lines = csv.lines().toList();
        assertThat(lines.get(0)).isEqualTo(String.join(",", UsageSample.CSV_COLUMNS));
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).isEqualTo(slug + "," + base + ",2,5,3,10,300,2000,600," + (384L << 20) + ","
                + (4L << 30) + "," + (768L << 20) + ",0,10");
        assertThat(csv).doesNotContain(other);
        given().queryParam("from", base.toString()).queryParam("to", to).queryParam("format", "json").get(usage + "/export").then()
                .statusCode(200).contentType(containsString("application/json")).body("tenant", equalTo(slug))
                .body("samples.size()", equalTo(3)).body("samples[2].apps", equalTo(2));

        assertProblem(json().queryParam("from", "yesterday").get(usage + "/history"), 400, "from");
        assertProblem(json().queryParam("from", "2026-02-01").queryParam("to", "2026-01-01").get(usage + "/history"),
                400, "from");
        assertProblem(json().queryParam("format", "xml").get(usage + "/export"), 400, "format");

        // Platform admins: every tenant, or one.
        String everyone = given().queryParam("from", base.toString()).queryParam("to", to).get("/api/v1/usage/export").then()
                .statusCode(200).contentType(containsString("text/csv")).extract().asString();
        assertThat(everyone.lines().filter(l -> l.startsWith(slug + ",") || l.startsWith(other + ","))).hasSize(6);
        json().queryParam("from", base.toString()).queryParam("to", to).queryParam("tenant", other).get("/api/v1/usage/history").then()
                .statusCode(200).body("samples.size()", equalTo(3)).body("samples.tenant", hasItem(other))
                .body("samples.findAll { it.tenant != '" + other + "' }.size()", equalTo(0));
    }

    @Test
    void platformAdminsSeeTheTenantsNearOrOverALimitInTheLatestSample() {
        String over = busyTenant("watch-over");
        String calm = busyTenant("watch-calm");
        json().body(Map.of("pods", 2)).put("/api/v1/tenants/" + over).then().statusCode(200);
        // The latest interval: one in the future, so no other test's sample is later.
        Instant latest = Instant.now().plus(Duration.ofDays(400));
        sampler.sample(latest);
        try {
            onlyTheseIn(em, sampler.slot(latest), over, calm);
            JsonPath watch = json().get("/api/v1/usage").then().statusCode(200).extract().jsonPath();
            assertThat(watch.getList("tenants.tenant", String.class)).containsExactly(over);
            assertThat(watch.getLong("total")).isEqualTo(1);
            assertThat(watch.getString("sampledAt")).isEqualTo(sampler.slot(latest).toString());
            assertThat(watch.getInt("tenants[0].pods")).isEqualTo(3);
            assertThat(watch.getInt("tenants[0].podsLimit")).isEqualTo(2);
        } finally {
            deleteFutureSamples(em);
        }
    }

    /** Leaves only these tenants' rows in the sample of {@code slot}, so other tests' tenants do not crowd it. */
    static void onlyTheseIn(EntityManager em, Instant slot, String... slugs) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("delete from usage_sample s using tenant t "
                + "where t.id = s.tenant_id and s.sampled_at = :slot and t.slug not in (:slugs)").setParameter("slot", slot)
                .setParameter("slugs", List.of(slugs)).executeUpdate());
    }

    static void deleteFutureSamples(EntityManager em) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("delete from usage_sample where sampled_at > "
                + "now() + interval '1 day'").executeUpdate());
    }

    static Instant toInstant(Object o) {
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof java.time.OffsetDateTime odt) {
            return odt.toInstant();
        }
        return ((java.sql.Timestamp) o).toInstant();
    }
}
