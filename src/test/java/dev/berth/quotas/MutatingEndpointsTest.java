package dev.berth.quotas;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.web.PageForms;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Proves that no mutating endpoint can grow a tenant's use past a limit without the quota service. It reads every
 * POST, PUT, PATCH and DELETE from the OpenAPI document (the JSON API and the HTML forms alike) and requires each
 * to be either
 * <ul>
 * <li>in {@link #GROWS}: a scenario puts a tenant exactly at a limit, shows that the endpoint is refused with the
 * quota problem naming that limit, then raises the limit and shows that the very same request now succeeds
 * (so the refusal came from the quota check, not from anything else); or</li>
 * <li>in {@link #CANNOT_GROW}, with the reason it cannot grow any use.</li>
 * </ul>
 * A new mutating endpoint fails this test until it is put in one of the two lists; an endpoint that starts a build,
 * a rollout or a placement belongs in {@link #GROWS} with a scenario.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class MutatingEndpointsTest {
    static final Set<String> MUTATING = Set.of("post", "put", "patch", "delete");

    /** Endpoints that cannot grow any quota dimension, and why. */
    static final Map<String, String> CANNOT_GROW = Map.ofEntries(
            Map.entry("POST /api/v1/tenants", "creates a tenant, which starts with no use"),
            Map.entry("POST /api/v1/admin/jobs/{queue}/{id}/retry", "a dead build is retried as a new build request,"
                    + " checked when it starts like any build; a dead rollout is stepped again with the pods it"
                    + " already started under its reservation; a notification uses no quota"),
            Map.entry("POST /jobs/{queue}/{id}/retry", "page twin of POST /api/v1/admin/jobs/{queue}/{id}/retry"),
            Map.entry("POST /tenants", "page twin of POST /api/v1/tenants"),
            Map.entry("PUT /api/v1/tenants/{tenant}", "changes limits (plan, overrides), not use; lowering below use is allowed by design"),
            Map.entry("POST /t/{tenant}/limits", "page twin of PUT /api/v1/tenants/{tenant}"),
            Map.entry("DELETE /api/v1/tenants/{tenant}", "frees everything the tenant used"),
            Map.entry("POST /t/{tenant}/delete", "page twin of DELETE /api/v1/tenants/{tenant}"),
            Map.entry("DELETE /api/v1/tenants/{tenant}/apps/{app}", "frees the app's use"),
            Map.entry("POST /t/{tenant}/apps/{app}/delete", "page twin of DELETE .../apps/{app}"),
            Map.entry("POST /t/{tenant}/apps/{app}/secrets", "sets a secret value: no replicas, resources or domains"),
            Map.entry("POST /t/{tenant}/apps/{app}/secrets/remove", "removes a secret value"),
            Map.entry("DELETE /api/v1/tenants/{tenant}/apps/{app}/autoscaling",
                    "removes the autoscaler: the app counts at its fixed replicas, never above the autoscaler's maximum"),
            Map.entry("POST /t/{tenant}/apps/{app}/autoscaling/remove", "removes the autoscaler (as its DELETE)"),
            Map.entry("PUT /api/v1/tenants/{tenant}/apps/{app}/tls",
                    "TLS settings and a certificate: no replicas, resources or domains"),
            Map.entry("DELETE /api/v1/tenants/{tenant}/apps/{app}/tls", "switches TLS off"),
            Map.entry("POST /t/{tenant}/apps/{app}/tls", "page twin of PUT .../tls"),
            Map.entry("POST /t/{tenant}/apps/{app}/tls/remove", "page twin of DELETE .../tls"),
            Map.entry("POST /api/v1/secret-keys/reseal", "re-encrypts stored secrets with the current key: no tenant use"),
            Map.entry("PUT /api/v1/tenants/{tenant}/members/{subject}", "membership has no quota"),
            Map.entry("DELETE /api/v1/tenants/{tenant}/members/{subject}", "membership has no quota"),
            Map.entry("POST /api/v1/tenants/{tenant}/members", "membership has no quota"),
            Map.entry("POST /t/{tenant}/members", "membership has no quota"),
            Map.entry("POST /t/{tenant}/tokens", "API tokens have no quota"),
            Map.entry("POST /t/{tenant}/tokens/{id}/revoke", "API tokens have no quota"),
            Map.entry("POST /t/{tenant}/members/{subject}/remove", "membership has no quota"),
            Map.entry("POST /t/{tenant}/members/{subject}/role", "membership has no quota"),
            Map.entry("POST /api/v1/tenants/{tenant}/tokens", "API tokens have no quota"),
            Map.entry("DELETE /api/v1/tenants/{tenant}/tokens/{id}", "API tokens have no quota"),
            Map.entry("POST /api/v1/plans", "defines limits, not use"),
            Map.entry("PUT /api/v1/plans/{plan}", "changes limits, not use; every tenant on the plan follows"),
            Map.entry("DELETE /api/v1/plans/{plan}", "only a plan no tenant is on can be deleted"),
            Map.entry("POST /logout", "ends a session"),
            Map.entry("POST /t/{tenant}/apps/{app}/processes/remove",
                    "removes a worker or cron: frees its pods (the release it makes starts like any release)"),
            Map.entry("POST /t/{tenant}/apps/{app}/processes/release-command",
                    "sets the release command: its run is checked (checkRun) when a rollout starts it, and a refusal "
                            + "fails that rollout"),
            Map.entry("POST /api/v1/tenants/{tenant}/apps/{app}/notifications", "adds a notification hook: no quota"),
            Map.entry("DELETE /api/v1/tenants/{tenant}/apps/{app}/notifications/{id}", "removes a notification hook"),
            Map.entry("POST /api/v1/tenants/{tenant}/apps/{app}/notifications/{id}/ping",
                    "queues one test delivery to a hook: no quota"),
            Map.entry("DELETE /api/v1/regions/{region}", "only a region no app uses can be deleted"),
            Map.entry("POST /regions", "page twin of POST /api/v1/regions"),
            Map.entry("POST /api/v1/tenants/{tenant}/apps/{app}/placement/purge", "empties edge caches"),
            Map.entry("POST /regions/{region}", "page twin of PUT /api/v1/regions/{region}"),
            Map.entry("POST /regions/{region}/delete", "page twin of DELETE /api/v1/regions/{region}"),
            Map.entry("POST /t/{tenant}/apps/{app}/releases/abort", "page twin of POST .../releases/abort"),
            Map.entry("POST /t/{tenant}/apps/{app}/releases/promote", "page twin of POST .../releases/promote"),
            Map.entry("POST /t/{tenant}/apps/{app}/releases/switch-back", "page twin of POST .../releases/switch-back"),
            Map.entry("POST /api/v1/tenants/{tenant}/apps/{app}/releases/plan",
                    "previews a deploy in a transaction that is rolled back: changes nothing"),
            Map.entry("POST /api/v1/tenants/{tenant}/apps/{app}/releases/abort",
                    "stops a second colour or canary: frees the reservation made when its rollout started"),
            Map.entry("POST /api/v1/tenants/{tenant}/apps/{app}/releases/promote",
                    "moves traffic to pods whose footprint was checked and reserved when the rollout started"),
            Map.entry("POST /api/v1/tenants/{tenant}/apps/{app}/releases/switch-back",
                    "moves traffic back to the held colour, which is still counted"),
            Map.entry("PUT /api/v1/tenants/{tenant}/apps/{app}/source", "connects a repository: no use until a build"),
            Map.entry("DELETE /api/v1/tenants/{tenant}/apps/{app}/source", "disconnects a repository"),
            Map.entry("POST /api/v1/tenants/{tenant}/apps/{app}/source/webhook/rotate", "replaces a secret"),
            Map.entry("POST /api/v1/tenants/{tenant}/apps/{app}/builds/{number}/cancel", "stops a build, freeing its slot"),
            Map.entry("POST /t/{tenant}/apps/{app}/builds/source", "page twin of PUT .../source"),
            Map.entry("POST /t/{tenant}/apps/{app}/builds/webhook/rotate", "page twin of POST .../source/webhook/rotate"),
            Map.entry("POST /t/{tenant}/apps/{app}/builds/{number}/cancel", "page twin of POST .../builds/{number}/cancel"));

    /** Endpoints that can grow use, each with a scenario (see the class comment). */
    static final Map<String, Function<MutatingEndpointsTest, Void>> GROWS = Map.ofEntries(
            Map.entry("POST /api/v1/tenants/{tenant}/apps", t -> t.apiCreateAtTheAppLimit()),
            Map.entry("POST /api/v1/regions", t -> t.registerRegionAtTheRegionLimit()),
            Map.entry("PUT /api/v1/regions/{region}", t -> t.grantRegionAtTheRegionLimit()),
            Map.entry("PUT /api/v1/tenants/{tenant}/apps/{app}/placement", t -> t.placementAtThePodLimit()),
            Map.entry("PUT /api/v1/tenants/{tenant}/apps/{app}/autoscaling", t -> t.autoscalerAtThePodLimit()),
            Map.entry("POST /t/{tenant}/apps/{app}/autoscaling", t -> t.pageAutoscalerAtThePodLimit()),
            Map.entry("PUT /api/v1/tenants/{tenant}/apps/{app}/processes", t -> t.processesAtThePodLimit()),
            Map.entry("POST /t/{tenant}/apps/{app}/processes", t -> t.pageProcessAtThePodLimit()),
            Map.entry("POST /api/v1/tenants/{tenant}/apps/{app}/runs", t -> t.runAtThePodLimit()),
            Map.entry("POST /t/{tenant}/apps/{app}/runs", t -> t.pageRunAtThePodLimit()),
            Map.entry("PATCH /api/v1/tenants/{tenant}/apps/{app}", t -> t.apiChangesAtTheirLimits()),
            Map.entry("POST /t/{tenant}/apps", t -> t.pageCreateAtTheAppLimit()),
            Map.entry("POST /t/{tenant}/apps/{app}", t -> t.pageScaleAtThePodLimit("")),
            Map.entry("POST /t/{tenant}/apps/{app}/scale", t -> t.pageScaleAtThePodLimit("/scale")),
            Map.entry("POST /api/v1/tenants/{tenant}/apps/{app}/releases", t -> t.blueGreenReleaseAtThePodLimit()),
            Map.entry("PUT /api/v1/tenants/{tenant}/apps/{app}/deploy-settings", t -> t.strategyChangeAtThePodLimit()),
            Map.entry("POST /api/v1/tenants/{tenant}/apps/{app}/releases/{number}/rollback", t -> t.rollbackAtTheCpuLimit()),
            Map.entry("POST /t/{tenant}/apps/{app}/releases/{number}/rollback", t -> t.pageRollbackAtTheCpuLimit()),
            Map.entry("POST /api/v1/tenants/{tenant}/apps/{app}/builds", t -> t.apiBuildWithoutBuildMinutes()),
            Map.entry("POST /t/{tenant}/apps/{app}/builds", t -> t.pageBuildWithoutBuildMinutes()),
            Map.entry("POST /hooks/{owner}/{name}/github", t -> t.webhookBuildWithoutBuildMinutes("github")),
            Map.entry("POST /hooks/{owner}/{name}/gitlab", t -> t.webhookBuildWithoutBuildMinutes("gitlab")),
            Map.entry("POST /hooks/{owner}/{name}/gitea", t -> t.webhookBuildWithoutBuildMinutes("gitea")));

    @Test
    void everyMutatingEndpointIsCheckedByTheQuotaServiceOrCannotGrowUse() {
        // Every route, pages and webhooks included: the OpenAPI document describes the JSON API only.
        Map<String, Set<String>> paths = dev.berth.testsupport.Routes.all();
        Set<String> mutating = new TreeSet<>();
        paths.forEach((path, ops) -> ops.stream().filter(MUTATING::contains)
                .forEach(m -> mutating.add(m.toUpperCase() + " " + path)));
        assertThat(mutating).as("mutating endpoints found among the routes").hasSizeGreaterThan(10);
        Map<String, Map<String, Object>> api = given().get("/q/openapi?format=json").then().statusCode(200)
                .extract().jsonPath().getMap("paths");
        api.forEach((path, ops) -> ops.keySet().stream().filter(MUTATING::contains)
                .forEach(m -> assertThat(mutating).as("routes").contains(m.toUpperCase() + " " + path)));

        Set<String> unclassified = new TreeSet<>(mutating);
        unclassified.removeAll(CANNOT_GROW.keySet());
        unclassified.removeAll(GROWS.keySet());
        assertThat(unclassified).as("mutating endpoints neither proven to go through QuotaService nor allow-listed "
                + "as unable to grow use (add them to GROWS with a scenario or to CANNOT_GROW with a reason)").isEmpty();
        Set<String> stale = new TreeSet<>(CANNOT_GROW.keySet());
        stale.addAll(GROWS.keySet());
        stale.removeAll(mutating);
        assertThat(stale).as("listed endpoints that no longer exist").isEmpty();
        assertThat(CANNOT_GROW.keySet()).doesNotContainAnyElementsOf(GROWS.keySet());

        Map<String, String> proven = new TreeMap<>();
        GROWS.forEach((endpoint, scenario) -> {
            scenario.apply(this);
            proven.put(endpoint, "refused at the limit, accepted once the limit was raised");
        });
        assertThat(proven).containsOnlyKeys(GROWS.keySet());
    }

    private static String tenant(Map<String, Object> limits) {
        String slug = Api.uniqueSlug("mut");
        Map<String, Object> body = new LinkedHashMap<>(limits);
        body.put("slug", slug);
        body.put("owners", List.of("admin"));
        json().body(body).post("/api/v1/tenants").then().statusCode(201);
        return slug;
    }

    private static void awaitRollout(String app, String state) {
        await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() -> state.equals(
                json().get(app + "/releases/rollout").then().statusCode(200).extract().path("state")));
    }

    private static void override(String slug, Map<String, Object> overrides) {
        json().body(Map.of("overrides", overrides)).put("/api/v1/tenants/" + slug).then().statusCode(200);
    }

    private static void assertRefused(Response r, String limit) {
        r.then().log().ifValidationFails().statusCode(422);
        assertThat(r.jsonPath().getString("type")).isEqualTo(QuotaProblem.TYPE);
        assertThat(r.jsonPath().getString("limit")).isEqualTo(limit);
        assertThat(r.jsonPath().getString("detail")).contains("tenant limit " + limit + " is", "in use",
                "this change asks for");
    }

    private static void assertPageRefused(Response r, String limit) {
        r.then().log().ifValidationFails().statusCode(422);
        assertThat(r.asString()).contains("Not saved:", "quota exceeded: tenant limit " + limit + " is");
    }

    Void apiCreateAtTheAppLimit() {
        String slug = tenant(Map.of("apps", 1));
        Api.createApp(slug, Api.app("one"));
        assertRefused(json().body(Api.app("two")).post(Api.apps(slug)), "apps");
        override(slug, Map.of("apps", 2));
        json().body(Api.app("two")).post(Api.apps(slug)).then().statusCode(201);
        return null;
    }

    /** Scale (pods), resources (CPU limits) and a custom domain, each at its own limit. */
    Void apiChangesAtTheirLimits() {
        String slug = tenant(Map.of("pods", 2, "overrides", Map.of("customDomains", 0)));
        Api.createApp(slug, Api.app("web"));
        Api.createApp(slug, Api.app("worker"));
        String web = Api.app(slug, "web");
        assertRefused(json().body(Map.of("replicas", 2)).patch(web), "pods");
        override(slug, Map.of("pods", 3, "customDomains", 0));
        json().body(Map.of("replicas", 2)).patch(web).then().statusCode(200);

        // 3 replicas x 500m: exactly at a 1500m cap on CPU limits.
        override(slug, Map.of("pods", 3, "customDomains", 0, "cpuRequest", "1", "cpuLimit", "1500m"));
        Map<String, Object> bigger = Map.of("resources", Map.of("cpuLimit", "600m"));
        assertRefused(json().body(bigger).patch(web), "cpuLimit");
        override(slug, Map.of("pods", 3, "customDomains", 0, "cpuRequest", "1", "cpuLimit", "2"));
        json().body(bigger).patch(web).then().statusCode(200);

        Map<String, Object> domain = Map.of("customDomain", Api.uniqueSlug("www") + ".example.com");
        assertRefused(json().body(domain).patch(web), "customDomains");
        override(slug, Map.of("pods", 3, "customDomains", 1, "cpuRequest", "1", "cpuLimit", "2"));
        json().body(domain).patch(web).then().statusCode(200);
        return null;
    }

    Void pageCreateAtTheAppLimit() {
        String slug = tenant(Map.of("apps", 1));
        Api.createApp(slug, Api.app("one"));
        Function<String, Response> post = name -> PageForms.from("/t/" + slug + "/apps/new").post().formParam("name", name)
                .formParam("image", "registry.example.com/t/" + name + ":1").post("/t/" + slug + "/apps");
        assertPageRefused(post.apply("two"), "apps");
        override(slug, Map.of("apps", 2));
        post.apply("two").then().statusCode(303);
        return null;
    }

    /** The app page's settings form ({@code ""}) or its scale form ({@code "/scale"}). */
    Void pageScaleAtThePodLimit(String form) {
        String slug = tenant(Map.of("pods", 1));
        Api.createApp(slug, Api.app("web"));
        String page = "/t/" + slug + "/apps/web";
        Function<String, Response> post = replicas -> PageForms.from(page).post().formParam("replicas", replicas)
                .post(page + form);
        assertPageRefused(post.apply("2"), "pods");
        override(slug, Map.of("pods", 2));
        post.apply("2").then().statusCode(303);
        return null;
    }

    /** A blue/green release runs a second colour beside the live one: it needs the room for it. */
    Void blueGreenReleaseAtThePodLimit() {
        // The change to blue/green runs its first colour beside the rolling Deployment until the Service moves.
        String slug = tenant(Map.of("pods", 2));
        Api.createApp(slug, Api.app("web"));
        String app = Api.app(slug, "web");
        awaitRollout(app, "succeeded");
        json().body(Map.of("strategy", "blue-green")).put(app + "/deploy-settings").then().statusCode(200);
        awaitRollout(app, "succeeded");
        override(slug, Map.of("pods", 1));
        Map<String, Object> release = Map.of("image", "registry.example.com/t/web:2");
        assertRefused(json().body(release).post(app + "/releases"), "pods");
        override(slug, Map.of("pods", 2));
        json().body(release).post(app + "/releases").then().statusCode(202);
        return null;
    }

    /** A change of strategy runs the new layout's Deployment beside the old one until the Service moves to it. */
    Void strategyChangeAtThePodLimit() {
        String slug = tenant(Map.of("pods", 1));
        Api.createApp(slug, Api.app("web"));
        String app = Api.app(slug, "web");
        awaitRollout(app, "succeeded");
        assertRefused(json().body(Map.of("strategy", "canary")).put(app + "/deploy-settings"), "pods");
        override(slug, Map.of("pods", 2));
        json().body(Map.of("strategy", "canary")).put(app + "/deploy-settings").then().statusCode(200);
        return null;
    }

    /** A rollback restores the old release's resources, which may be more than the limit now allows. */
    Void rollbackAtTheCpuLimit() {
        String slug = tenant(Map.of());
        Api.createApp(slug, Api.app("web"));
        String app = Api.app(slug, "web");
        json().body(Map.of("resources", Map.of("cpuLimit", "200m"))).patch(app).then().statusCode(200);
        override(slug, Map.of("cpuRequest", "200m", "cpuLimit", "300m"));
        assertRefused(json().post(app + "/releases/1/rollback"), "cpuLimit");
        override(slug, Map.of("cpuRequest", "200m", "cpuLimit", "1"));
        json().post(app + "/releases/1/rollback").then().statusCode(202);
        return null;
    }

    Void pageRollbackAtTheCpuLimit() {
        String slug = tenant(Map.of());
        Api.createApp(slug, Api.app("web"));
        json().body(Map.of("resources", Map.of("cpuLimit", "200m"))).patch(Api.app(slug, "web")).then().statusCode(200);
        override(slug, Map.of("cpuRequest", "200m", "cpuLimit", "300m"));
        String page = "/t/" + slug + "/apps/web/releases";
        Response refused = PageForms.from(page).post().post(page + "/1/rollback");
        refused.then().statusCode(422);
        assertThat(refused.asString()).contains("tenant limit cpuLimit is");
        override(slug, Map.of("cpuRequest", "200m", "cpuLimit", "1"));
        PageForms.from(page).post().post(page + "/1/rollback").then().statusCode(303);
        return null;
    }

    /** A tenant whose app has a repository (unreachable: builds that do start end at once). */
    private static String tenantWithSource(Map<String, Object> limits) {
        String slug = tenant(limits);
        Api.createApp(slug, Api.app("web"));
        json().body(Map.of("repoUrl", "git://127.0.0.1:9/none.git", "ref", "main")).put(Api.app(slug, "web") + "/source")
                .then().statusCode(200);
        return slug;
    }

    Void apiBuildWithoutBuildMinutes() {
        String slug = tenantWithSource(Map.of("overrides", Map.of("buildMinutesPerMonth", 0)));
        assertRefused(json().post(Api.app(slug, "web") + "/builds"), "buildMinutesPerMonth");
        override(slug, Map.of("buildMinutesPerMonth", 10));
        json().post(Api.app(slug, "web") + "/builds").then().statusCode(201);
        return null;
    }

    Void pageBuildWithoutBuildMinutes() {
        String slug = tenantWithSource(Map.of("overrides", Map.of("buildMinutesPerMonth", 0)));
        String page = "/t/" + slug + "/apps/web/builds";
        assertPageRefused(PageForms.from(page).post().post(page), "buildMinutesPerMonth");
        override(slug, Map.of("buildMinutesPerMonth", 10));
        PageForms.from(page).post().post(page).then().statusCode(303);
        return null;
    }

    Void webhookBuildWithoutBuildMinutes(String host) {
        String slug = tenantWithSource(Map.of("overrides", Map.of("buildMinutesPerMonth", 0)));
        String secret = json().get(Api.app(slug, "web") + "/source/webhook").then().statusCode(200).extract()
                .path("secret");
        Function<String, Response> deliver = delivery -> {
            String body = "{\"ref\":\"refs/heads/main\",\"after\":\"" + "a".repeat(40) + "\"}";
            String hmac = dev.berth.builds.webhooks.WebhookSignatures.hmacHex(secret, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            var req = given().contentType("application/json").body(body);
            req = switch (host) {
                case "github" -> req.header("X-GitHub-Event", "push").header("X-GitHub-Delivery", delivery)
                        .header("X-Hub-Signature-256", "sha256=" + hmac);
                case "gitlab" -> req.header("X-Gitlab-Event", "Push Hook").header("X-Gitlab-Event-UUID", delivery)
                        .header("X-Gitlab-Token", secret);
                default -> req.header("X-Gitea-Event", "push").header("X-Gitea-Delivery", delivery)
                        .header("X-Gitea-Signature", hmac);
            };
            return req.post("/hooks/" + slug + "/web/" + host);
        };
        assertRefused(deliver.apply("first"), "buildMinutesPerMonth");
        override(slug, Map.of("buildMinutesPerMonth", 10));
        // The refused delivery was not recorded: the Git host's redelivery of it now builds.
        deliver.apply("first").then().statusCode(202);
        return null;
    }

    /** A region registered with a tenant that already uses as many regions as its plan allows. */
    Void registerRegionAtTheRegionLimit() {
        String slug = tenant(Map.of("overrides", Map.of("regions", 1)));
        try (MockRegions regions = new MockRegions()) {
            MockRegions.MockRegion r = regions.start("mut-reg");
            Map<String, Object> body = new LinkedHashMap<>(Map.of("name", "mut-reg", "baseDomain", "mut.apps.test",
                    "kubeconfig", r.kubeconfig(), "tenants", List.of(slug)));
            assertRefused(json().body(body).post("/api/v1/regions"), "regions");
            override(slug, Map.of("regions", 2));
            json().body(body).post("/api/v1/regions").then().statusCode(201);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return null;
    }

    /** A tenant granted one more region than its plan allows. */
    Void grantRegionAtTheRegionLimit() {
        String slug = tenant(Map.of("overrides", Map.of("regions", 1)));
        try (MockRegions regions = new MockRegions()) {
            regions.register("mut-grant", 10, 10);
            Map<String, Object> grant = Map.of("tenants", List.of(slug));
            assertRefused(json().body(grant).put("/api/v1/regions/mut-grant"), "regions");
            override(slug, Map.of("regions", 2));
            json().body(grant).put("/api/v1/regions/mut-grant").then().statusCode(200);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return null;
    }

    /** An autoscaler counts at its maximum: a maximum beyond the tenant's pods is refused until the limit grows. */
    Void autoscalerAtThePodLimit() {
        String slug = tenant(Map.of("pods", 2, "overrides", Map.of("replicasPerApp", 10)));
        Api.createApp(slug, Api.app("web"));
        String url = Api.app(slug, "web") + "/autoscaling";
        Map<String, Object> body = Map.of("minReplicas", 1, "maxReplicas", 3, "cpuPercent", 70);
        json().body(body).put(url).then().log().ifValidationFails().statusCode(422)
                .body("field", org.hamcrest.Matchers.equalTo("maxReplicas"));
        json().get(url).then().statusCode(200).body("autoscaler", org.hamcrest.Matchers.nullValue());
        override(slug, Map.of("pods", 3, "replicasPerApp", 10));
        json().body(body).put(url).then().log().ifValidationFails().statusCode(200);
        return null;
    }

    /** Workers count their replicas: a worker without room is refused naming it, until the pod limit grows. */
    Void processesAtThePodLimit() {
        String slug = tenant(Map.of("pods", 2));
        Api.createApp(slug, Api.app("web"));
        String url = Api.app(slug, "web") + "/processes";
        Map<String, Object> body = Map.of("processes", List.of(Map.of("name", "jobs", "type", "worker",
                "command", List.of("bin/worker"), "replicas", 2)));
        assertRefused(json().body(body).put(url), "pods");
        json().get(url).then().statusCode(200).body("processes.size()", org.hamcrest.Matchers.equalTo(0));
        override(slug, Map.of("pods", 3));
        json().body(body).put(url).then().log().ifValidationFails().statusCode(200);
        return null;
    }

    /** The same through the processes page's form. */
    Void pageProcessAtThePodLimit() {
        String slug = tenant(Map.of("pods", 2));
        Api.createApp(slug, Api.app("web"));
        String page = "/t/" + slug + "/apps/web/processes";
        java.util.function.Supplier<Response> post = () -> PageForms.from(page).post().formParam("name", "jobs")
                .formParam("type", "worker").formParam("command", "bin/worker").formParam("replicas", "2").post(page);
        assertPageRefused(post.get(), "pods");
        override(slug, Map.of("pods", 3));
        post.get().then().statusCode(303);
        return null;
    }

    /** A one-off run holds one pod while it runs: without room it is refused, naming the command. */
    Void runAtThePodLimit() {
        String slug = tenant(Map.of("pods", 1));
        Api.createApp(slug, Api.app("web"));
        String url = Api.app(slug, "web") + "/runs";
        Map<String, Object> body = Map.of("command", List.of("bin/rake", "db:seed"));
        assertRefused(json().body(body).post(url), "pods");
        override(slug, Map.of("pods", 2));
        json().body(body).post(url).then().log().ifValidationFails().statusCode(201);
        return null;
    }

    /** The same through the app page's run form. */
    Void pageRunAtThePodLimit() {
        String slug = tenant(Map.of("pods", 1));
        Api.createApp(slug, Api.app("web"));
        String page = "/t/" + slug + "/apps/web";
        java.util.function.Supplier<Response> post = () -> PageForms.from(page).post().formParam("command",
                "bin/rake db:seed").post(page + "/runs");
        assertPageRefused(post.get(), "pods");
        override(slug, Map.of("pods", 2));
        post.get().then().statusCode(303);
        return null;
    }

    /** The same through the app page's autoscaling form. */
    Void pageAutoscalerAtThePodLimit() {
        String slug = tenant(Map.of("pods", 2, "overrides", Map.of("replicasPerApp", 10)));
        Api.createApp(slug, Api.app("web"));
        String page = "/t/" + slug + "/apps/web";
        java.util.function.Supplier<Response> post = () -> PageForms.from(page).post().formParam("minReplicas", "1")
                .formParam("maxReplicas", "3").formParam("cpuPercent", "70").post(page + "/autoscaling");
        int refused = post.get().then().log().ifValidationFails().extract().statusCode();
        assertThat(refused).as("the page's answer to an autoscaler beyond the pod limit").isBetween(400, 499);
        json().get(Api.app(slug, "web") + "/autoscaling").then().statusCode(200)
                .body("autoscaler", org.hamcrest.Matchers.nullValue());
        override(slug, Map.of("pods", 3, "replicasPerApp", 10));
        post.get().then().log().ifValidationFails().statusCode(303);
        return null;
    }

    /** One more region for an app whose replicas already take all the tenant's pods. */
    Void placementAtThePodLimit() {
        String slug = tenant(Map.of("pods", 1, "overrides", Map.of("regions", 3)));
        Api.createApp(slug, Api.app("web"));
        String placement = Api.app(slug, "web") + "/placement";
        json().body(Map.of("allRegions", false)).put(placement).then().statusCode(200);
        try (MockRegions regions = new MockRegions()) {
            regions.register("mut-place", 10, 10, slug);
            Map<String, Object> wider = Map.of("replicas", List.of("mut-place"));
            assertRefused(json().body(wider).put(placement), "pods");
            override(slug, Map.of("pods", 2, "regions", 3));
            json().body(wider).put(placement).then().statusCode(200);
            json().body(Map.of("replicas", List.of())).put(placement).then().statusCode(200);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return null;
    }
}
