package dev.berth.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.probe.ApiOperations.Operation;
import dev.berth.probe.PageRoutes.Route;
import dev.berth.probe.Probe.Identity;
import dev.berth.probe.Probe.Request;
import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Users;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The security probe suite (docs/testing.md): every API operation of the served OpenAPI document and every page
 * route of the running route table, called by every identity class with every class of bad input
 * ({@link BadInputs}). The oracle: no 5xx; no answer shows an identity names it must not see (the other tenant's
 * markers); a refused request (4xx) changes nothing in the database ({@link DatabaseSnapshot}); bad input that is
 * never valid is not accepted; an API refusal is problem+json; anonymous callers and revoked tokens get nothing.
 *
 * <p>Failures that only the known, separately fixed findings cause are listed in {@link #KNOWN_FINDINGS}, each as
 * the exact failure key (oracle, operation or page, identity, input), so nothing else can hide behind them; an entry
 * that no longer fails is reported, so the list is emptied as the fixes land.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class SecurityProbeTest {
    /** Exact failure keys caused by known findings being fixed separately, with the reason. */
    static final Map<String, String> KNOWN_FINDINGS = KnownFindings.all();

    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");
    private static ProbeWorld world;
    private static DatabaseSnapshot db;
    private static Set<Long> tenantIds;
    private static final ProbeReport report = new ProbeReport();

    @Inject
    DataSource dataSource;

    /** A fresh world for each test, so what the API probes delete or change cannot narrow the page probes. */
    @BeforeEach
    void world() throws Exception {
        Users.actAsAdmin();
        if (!report.started()) {
            report.start();
        }
        world = new ProbeWorld();
        PageSessions.reset();
        tenantIds = QuarkusTransaction.requiringNew().call(() -> Set.of(Tenant.findBySlug(world.a.tenant()).id,
                Tenant.findBySlug(world.b.tenant()).id));
        db = new DatabaseSnapshot(dataSource, tenantIds);
    }

    @AfterEach
    void closeWorld() {
        world.close();
    }

    @AfterAll
    static void writeReport() throws Exception {
        report.write(KNOWN_FINDINGS);
    }

    @Test
    void everyApiOperationWithEveryIdentityAndInput() {
        ApiOperations api = ApiOperations.served();
        List<Operation> ops = new ArrayList<>(api.operations());
        assertThat(ops).extracting(Operation::toString).contains("GET /api/v1/tenants/{tenant}",
                "PATCH /api/v1/tenants/{tenant}/apps/{app}", "DELETE /api/v1/tenants/{tenant}/tokens/{id}");
        ops.sort(Comparator.comparingInt(SecurityProbeTest::order).thenComparing(Operation::template));
        BodyHints hints = new BodyHints(world);
        List<Identity> identities = apiIdentities();
        List<String> unknown = new ArrayList<>();
        Map<String, String> before = db.take();
        for (Operation op : ops) {
            unknown.addAll(unfillable(op.template()));
            JsonNode valid = op.bodySchema() == null ? null : api.validBody(op.bodySchema(), hints);
            for (Identity who : identities) {
                boolean deep = op.template().contains("{tenant}") ? who.name().equals("owner")
                        : who.name().equals("platform-admin");
                for (Case c : apiCases(op, valid, deep)) {
                    before = probe("api", op.toString(), who, c, before, op.template().startsWith("/api/"),
                            op.template().contains("{tenant}"));
                }
            }
        }
        report.api(ops.size(), identities.size(), BadInputs.values().length);
        assertThat(unknown).as("path parameters the probe cannot fill: add them to SecurityProbeTest.param")
                .isEmpty();
        report.assertClean(KNOWN_FINDINGS, "api");
    }

    @Test
    void everyPageWithEveryIdentity() {
        List<Route> routes = new ArrayList<>(PageRoutes.pages());
        assertThat(routes).extracting(Route::toString).contains("GET /tenants", "GET /regions", "GET /t/{tenant}");
        routes.sort(Comparator.comparingInt((Route r) -> r.read() ? 0 : destructive(r.template()) ? 2 : 1)
                .thenComparing(r -> -r.template().split("/").length).thenComparing(Route::template));
        List<Identity> identities = pageIdentities();
        String[] csrf = PageSessions.csrf(world.a.tenant(), identities.get(identities.size() - 1));
        Map<String, String> before = db.take();
        List<String> unknown = new ArrayList<>();
        for (Route route : routes) {
            unknown.addAll(unfillable(route.template()));
            for (Identity who : identities) {
                if (PageSessions.switchRole(world, who)) {
                    before = db.take();
                }
                for (BadInputs input : List.of(BadInputs.VALID, BadInputs.FOREIGN_TENANT, BadInputs.FOREIGN_OBJECT)) {
                    String path = fill(route.template(), input);
                    if (path == null) {
                        continue;
                    }
                    Request req = new Request(route.method(), path, Map.of(),
                            route.read() ? null : "csrf-token=" + csrf[1], "application/x-www-form-urlencoded",
                            "text/html", route.read() ? null : csrf[0]);
                    before = probe("page", route.toString(), who, new Case(input, null, req), before, false,
                            route.template().contains("{tenant}"));
                }
            }
        }
        report.pages(routes.size(), identities.size(), 3);
        assertThat(unknown).as("path parameters the probe cannot fill").isEmpty();
        report.assertClean(KNOWN_FINDINGS, "page");
    }

    /** One input case of an operation: the class, the field it changed (if one), and the request. */
    record Case(BadInputs input, String field, Request request) {
        String label() {
            return input.label() + (field == null ? "" : "[" + field + "]");
        }
    }

    private List<Case> apiCases(Operation op, JsonNode valid, boolean deep) {
        List<Case> cases = new ArrayList<>();
        String accept = op.accept();
        String type = op.consumes();
        for (BadInputs input : BadInputs.values()) {
            String path = fill(op.template(), input);
            if (path == null) {
                continue;
            }
            Map<String, String> query = new LinkedHashMap<>();
            if (input == BadInputs.BAD_QUERY) {
                if (op.queryParams().isEmpty()) {
                    continue;
                }
                op.queryParams().forEach(q -> query.put(q, "9".repeat(200) + BadInputs.CONTROL));
            }
            switch (input.kind) {
                case FIELD -> {
                    if (valid == null || input.fields(valid).isEmpty()) {
                        continue;
                    }
                    if (deep) {
                        for (String f : input.fields(valid)) {
                            cases.add(new Case(input, f, new Request(op.method(), path, query,
                                    input.mutate(valid, f::equals).toString(), type(type), accept)));
                        }
                    } else {
                        cases.add(new Case(input, "*", new Request(op.method(), path, query,
                                input.mutate(valid, f -> true).toString(), type(type), accept)));
                    }
                }
                case BODY -> {
                    if (!op.hasBody()) {
                        continue;
                    }
                    cases.add(new Case(input, null, new Request(op.method(), path, query,
                            input.bodyText(valid == null ? ApiOperations.JSON.createObjectNode() : valid),
                            input.contentType(type), accept)));
                }
                default -> cases.add(new Case(input, null, new Request(op.method(), path, query,
                        op.hasBody() ? (valid == null ? "{}" : valid.toString()) : null, type(type), accept)));
            }
        }
        // Valid requests last, so an identity's changes cannot hide what its bad inputs would have done.
        cases.sort(Comparator.comparingInt(c -> c.input() == BadInputs.VALID ? 1 : 0));
        return cases;
    }

    private static String type(String declared) {
        return declared == null ? "application/json" : declared;
    }

    /**
     * Sends one probe and applies the oracle; returns the database state to compare the next refusal with.
     */
    private Map<String, String> probe(String area, String what, Identity who, Case c, Map<String, String> before,
            boolean api, boolean tenantScoped) {
        Request req = c.request();
        Response r = req.send(who);
        report.sent();
        int status = r.statusCode();
        String key = what + " as " + who.name() + " with " + c.label();
        String answer = r.asString();
        if (status >= 500) {
            report.fail(area, "5xx: " + key, status + " " + abbreviate(answer));
        }
        for (String leak : recordsOfProbes(what) ? List.<String>of() : Probe.leaks(who, req, answer)) {
            report.fail(area, "leak: " + key, "shows '" + leak + "' (" + status + ")");
        }
        boolean success = status >= 200 && status < 300;
        boolean publicPage = !api && (what.endsWith(" /login") || what.endsWith(" /logout"));
        if (success && who.refusedEverywhere() && !publicPage) {
            report.fail(area, "door open: " + key, String.valueOf(status));
        } else if (success && api && c.input().mustRefuse) {
            report.fail(area, "accepted bad input: " + key, status + " " + abbreviate(answer));
        } else if (success && tenantScoped && !who.name().equals("platform-admin")
                && who.memberOfTarget() == (c.input() == BadInputs.FOREIGN_TENANT)) {
            // A member of the tenant in the path is the target's member with A's path, or B's owner with B's.
            report.fail(area, "door open: " + key, String.valueOf(status));
        } else if (success && c.input() == BadInputs.FOREIGN_OBJECT) {
            report.fail(area, "foreign object reached: " + key, status + " " + abbreviate(answer));
        }
        if (api && PROBLEM_STATUSES.contains(status)
                && !String.valueOf(r.contentType()).startsWith("application/problem+json")) {
            report.fail(area, "not problem+json: " + key, status + " " + r.contentType());
        }
        boolean changing = !req.method().equals("GET") || status >= 400;
        if (status >= 400) {
            Map<String, String> after = db.take();
            List<String> changes = DatabaseSnapshot.changes(before, after);
            if (!changes.isEmpty()) {
                report.fail(area, "refused but changed: " + key, status + " " + changes);
            }
            return after;
        }
        if (changing) {
            Map<String, String> now = db.take();
            if (now.equals(before) && !db.busy(tenantIds)) {
                return now;
            }
            // Work the change started (a rollout, a build, its log and deliveries) ends before the next probe.
            AtomicReference<Map<String, String>> last = new AtomicReference<>(now);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                Map<String, String> current = db.take();
                return !db.busy(tenantIds) && current.equals(last.getAndSet(current));
            });
            return last.get();
        }
        return before;
    }

    /**
     * Answers about the request itself must be problem+json. 401 and 403 of the security layer carry no body by
     * design; 414 comes from the HTTP layer before any resource.
     */
    private static final Set<Integer> PROBLEM_STATUSES = Set.of(400, 404, 405, 409, 413, 415, 422);

    /**
     * Audit logs record the requests made to a tenant, the probes' own included (their paths name the other
     * tenant's objects, their actors are the other tenant's members), so their answers cannot be checked for
     * markers. The only reads exempt from the leak oracle.
     */
    private static boolean recordsOfProbes(String what) {
        return what.contains("/audit");
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() > 300 ? one.substring(0, 300) + "..." : one;
    }

    /** The path for an input class: A's objects, B's tenant, or A's tenant with B's objects; null if not apt. */
    private static String fill(String template, BadInputs input) {
        List<String> params = new ArrayList<>();
        Matcher m = PARAM.matcher(template);
        while (m.find()) {
            params.add(m.group(1));
        }
        if (input == BadInputs.FOREIGN_TENANT && !params.contains("tenant")
                || input == BadInputs.FOREIGN_OBJECT && (!params.contains("tenant") || params.stream()
                        .noneMatch(p -> !p.equals("tenant") && param(template, p, world.b) != null
                                && !param(template, p, world.b).equals(param(template, p, world.a))))) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        m = PARAM.matcher(template);
        while (m.find()) {
            ProbeWorld.Side side = input == BadInputs.FOREIGN_TENANT
                    || input == BadInputs.FOREIGN_OBJECT && !m.group(1).equals("tenant") ? world.b : world.a;
            String value = param(template, m.group(1), side);
            m.appendReplacement(sb, Matcher.quoteReplacement(value == null ? "{" + m.group(1) + "}" : value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** How each path parameter is filled from one side's identifiers; null for a name not known yet. */
    private static String param(String template, String name, ProbeWorld.Side side) {
        return switch (name) {
            case "tenant" -> side.tenant();
            case "app" -> side.app();
            // People are not a tenant's objects: any owner may add any known user, so both sides name the same one.
            case "subject" -> world.a.spareMember();
            case "id" -> String.valueOf(template.contains("/notifications/") ? side.hookId() : side.spareTokenId());
            case "number" -> "1";
            case "region" -> world.spareRegion;
            case "plan" -> world.sparePlan;
            // A queue's dead job: the probes' ids name none, so retries are refused without changing anything.
            case "queue" -> "notifications";
            default -> null;
        };
    }

    private static List<String> unfillable(String template) {
        List<String> unknown = new ArrayList<>();
        Matcher m = PARAM.matcher(template);
        while (m.find()) {
            if (param(template, m.group(1), world.a) == null) {
                unknown.add(m.group(1) + " in " + template);
            }
        }
        return unknown;
    }

    /** Reads first, then changes, then deletions from the deepest path up, so a deletion comes after its uses. */
    private static int order(Operation op) {
        return switch (op.method()) {
            case "GET" -> 0;
            case "DELETE" -> 100 - op.template().split("/").length;
            default -> 1;
        };
    }

    private static boolean destructive(String template) {
        return template.endsWith("/delete") || template.endsWith("/remove") || template.endsWith("/revoke");
    }

    private static List<Identity> apiIdentities() {
        List<String> a = world.a.markers();
        List<String> b = world.b.markers();
        List<String> both = new ArrayList<>(a);
        both.addAll(b);
        String[] none = {};
        return List.of(
                new Identity("anonymous", null, none, null, null, both, true, false),
                new Identity("revoked-token", null, none, null, world.revokedTokenA, both, true, false),
                new Identity("other-tenant-member", world.b.owner(), none, null, null, a, false, false),
                new Identity("viewer", world.viewerA, none, null, null, b, false, true),
                new Identity("app-token", null, none, null, world.appTokenA, b, false, true),
                new Identity("developer", world.developerA, none, null, null, b, false, true),
                new Identity("owner", world.a.owner(), none, null, null, b, false, true),
                new Identity("platform-admin", Users.ADMIN, new String[] {Users.PLATFORM_ADMIN}, null, null,
                        List.of(), false, true));
    }

    private static List<Identity> pageIdentities() {
        List<String> a = world.a.markers();
        List<String> b = world.b.markers();
        List<String> both = new ArrayList<>(a);
        both.addAll(b);
        String[] none = {};
        return List.of(
                new Identity("anonymous", null, none, null, null, both, true, false),
                new Identity("revoked-token", null, none, null, world.revokedTokenA, both, true, false),
                new Identity("app-token", null, none, null, world.appTokenA, b, false, true),
                new Identity("other-tenant-member", null, none, PageSessions.login("bob"), null, a, false, false),
                new Identity("viewer", null, none, PageSessions.login("alice"), null, b, false, true),
                new Identity("developer", null, none, PageSessions.login("alice"), null, b, false, true),
                new Identity("owner", null, none, PageSessions.login("alice"), null, b, false, true),
                new Identity("platform-admin", null, none, PageSessions.login("admin"), null, List.of(), false,
                        true));
    }
}
