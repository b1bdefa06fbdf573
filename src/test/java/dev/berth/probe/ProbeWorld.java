package dev.berth.probe;

import static dev.berth.testsupport.Api.json;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.Users;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The objects the probe suite works on, created through the API as users would: the target tenant A (an owner,
 * a developer, a viewer, an app with a build, a notification hook, tokens, a spare member and token the suite may
 * remove) and the foreign tenant B, whose names all carry the marker {@code zzb} so that any of them in an answer to
 * someone outside B is a leak. Also a spare region and plan that platform-admin probes may change or delete, and a
 * loopback receiver that answers notification deliveries at once.
 */
final class ProbeWorld implements AutoCloseable {
    /** One tenant's identifiers as path parameters take them, and the strings that show its data leaked. */
    record Side(String tenant, String app, String owner, String spareMember, long spareTokenId, long hookId,
            List<String> markers) {
    }

    final Side a;
    final Side b;
    final String developerA;
    final String viewerA;
    final String appTokenA;
    final String revokedTokenA;
    final String spareRegion;
    final String sparePlan;
    final String hookUrl;
    private final HttpServer receiver;
    private final MockRegions regions = new MockRegions();

    ProbeWorld() throws IOException {
        Users.actAsAdmin();
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        hookUrl = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String suffix = Api.uniqueSlug("x").substring(2);
        a = side("probe-a-" + suffix, "probe-owner-" + suffix, "web-" + suffix, "registry.example.com/probe-"
                + suffix + "/web:1", "probe-spare-" + suffix, "probe-env-" + suffix);
        b = side("zzb-" + suffix, "zzb-owner-" + suffix, "zzb-app-" + suffix, "registry.example.com/zzb-image-"
                + suffix + ":7", "zzb-member-" + suffix, "zzb-env-" + suffix);
        developerA = "probe-dev-" + suffix;
        viewerA = "probe-viewer-" + suffix;
        Api.putMember(a.tenant(), developerA, "developer");
        Api.putMember(a.tenant(), viewerA, "viewer");
        // The page probes log in with the local login's users: alice in A (her role changes per round), bob in B.
        Api.putMember(a.tenant(), "alice", "viewer");
        Api.putMember(b.tenant(), "bob", "owner");
        appTokenA = json().body(Map.of("name", "probe-app-token", "role", "developer", "app", a.app()))
                .post(tokens(a.tenant())).then().statusCode(201).extract().path("secret");
        revokedTokenA = issue(a.tenant(), "probe-revoked", "owner");
        json().delete(tokens(a.tenant()) + "/" + tokenId(a.tenant(), "probe-revoked")).then().statusCode(204);
        spareRegion = "probe-r-" + suffix;
        regions.register(spareRegion, 10, 10);
        sparePlan = "probe-plan-" + suffix;
        json().body(Map.ofEntries(Map.entry("name", sparePlan), Map.entry("displayName", "Probe plan"),
                Map.entry("cpuRequest", "2"), Map.entry("cpuLimit", "4"), Map.entry("memoryRequest", "2Gi"),
                Map.entry("memoryLimit", "4Gi"), Map.entry("pods", 10), Map.entry("apps", 5),
                Map.entry("replicasPerApp", 3), Map.entry("concurrentBuilds", 1),
                Map.entry("buildMinutesPerMonth", 100), Map.entry("regions", 1), Map.entry("customDomains", 1)))
                .post("/api/v1/plans").then().log().ifValidationFails().statusCode(201);
    }

    /**
     * A tenant with an app (distinctive image and env value), a failed build, a hook, a spare member and a spare
     * token; its markers are every name of it that another tenant's member must never see.
     */
    private Side side(String slug, String owner, String app, String image, String spare, String envValue) {
        Map<String, Object> tenant = new java.util.HashMap<>(Api.tenant(slug, owner));
        tenant.put("displayName", "Team " + slug);
        tenant.put("apps", 20);
        tenant.put("pods", 60);
        json().body(tenant).post("/api/v1/tenants").then().log().ifValidationFails().statusCode(201);
        Map<String, Object> body = Api.app(app);
        body.put("image", image);
        body.put("env", Map.of("PROBE_MARKER", envValue));
        Api.createApp(slug, body);
        Api.putMember(slug, spare, "viewer");
        issue(slug, "probe-spare-token", "viewer");
        long spareToken = tokenId(slug, "probe-spare-token");
        // A build that fails at once (nothing listens on the discard port), so builds/1 and its log exist.
        String appPath = Api.app(slug, app);
        json().body(Map.of("repoUrl", "http://127.0.0.1:9/" + app + ".git")).put(appPath + "/source").then()
                .log().ifValidationFails().statusCode(200);
        json().body("{}").post(appPath + "/builds").then().log().ifValidationFails().statusCode(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("failed", "succeeded", "cancelled")
                .contains(json().get(appPath + "/builds/1").then().extract().<String>path("state")));
        // Subscribed to an event the probes never cause, so no delivery is queued behind their backs.
        long hook = ((Number) json().body(Map.of("url", hookUrl, "events", List.of("build.succeeded")))
                .post(appPath + "/notifications").then().log().ifValidationFails().statusCode(201).extract()
                .path("hook.id")).longValue();
        return new Side(slug, app, owner, spare, spareToken, hook, List.of(slug, app, image, owner, envValue));
    }

    static String tokens(String tenant) {
        return "/api/v1/tenants/" + tenant + "/tokens";
    }

    static String issue(String tenant, String name, String role) {
        return json().body(Map.of("name", name, "role", role)).post(tokens(tenant)).then().statusCode(201).extract()
                .path("secret");
    }

    static long tokenId(String tenant, String name) {
        return json().get(tokens(tenant)).then().statusCode(200).extract()
                .<Number>path("find { it.name == '" + name + "' }.id").longValue();
    }

    @Override
    public void close() {
        regions.close();
        receiver.stop(0);
    }
}
