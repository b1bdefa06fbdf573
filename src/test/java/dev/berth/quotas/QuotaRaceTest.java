package dev.berth.quotas;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testsupport.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Fifty requests at once against a tenant at the edge of a limit, through the API and the real PostgreSQL: the
 * row lock on the tenant serialises them, so exactly as many succeed as the limit allows and the others get the
 * quota refusal (never a 500, never one too many).
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class QuotaRaceTest {
    static final int REQUESTS = 50;

    @Test
    void fiftyConcurrentCreatesAtTheAppLimitLetExactlyTheLimitThrough() throws Exception {
        String slug = Api.uniqueSlug("race-apps");
        json().body(Map.of("slug", slug, "cpu", "100", "memory", "100Gi", "pods", 500, "apps", 7))
                .post("/api/v1/tenants").then().statusCode(201);
        Api.createApp(slug, Api.app("first"));

        List<Response> answers = concurrently(i -> () -> json().body(Api.app("app-" + i)).post(Api.apps(slug)));

        assertThat(statuses(answers)).containsOnly(201, 422);
        assertThat(answers.stream().filter(r -> r.statusCode() == 201)).hasSize(6);
        answers.stream().filter(r -> r.statusCode() == 422).forEach(r -> assertThat(r.jsonPath().getString("limit"))
                .isEqualTo("apps"));
        assertThat(json().get(Api.apps(slug)).then().statusCode(200).extract().jsonPath().getList("items.name")).hasSize(7);
    }

    @Test
    void fiftyConcurrentScaleUpsAtThePodLimitLetExactlyTheLimitThrough() throws Exception {
        String slug = Api.uniqueSlug("race-pods");
        json().body(Map.of("slug", slug, "cpu", "100", "memory", "100Gi", "pods", 20, "apps", REQUESTS))
                .post("/api/v1/tenants").then().statusCode(201);
        for (int i = 0; i < REQUESTS; i++) {
            Map<String, Object> app = new java.util.LinkedHashMap<>(Api.app("app-" + i));
            app.put("replicas", 0);
            Api.createApp(slug, app);
        }

        List<Response> answers = concurrently(i -> () -> json().body(Map.of("replicas", 1))
                .patch(Api.app(slug, "app-" + i)));

        assertThat(statuses(answers)).containsOnly(200, 422);
        assertThat(answers.stream().filter(r -> r.statusCode() == 200)).hasSize(20);
        answers.stream().filter(r -> r.statusCode() == 422).forEach(r -> {
            assertThat(r.jsonPath().getString("limit")).isEqualTo("pods");
            assertThat(r.jsonPath().getString("used")).isEqualTo("20");
        });
        List<Integer> replicas = json().get(Api.apps(slug)).then().statusCode(200).extract().jsonPath()
                .getList("items.replicas", Integer.class);
        assertThat(replicas.stream().mapToInt(Integer::intValue).sum()).isEqualTo(20);
    }

    /** Starts all requests together (a latch) from 50 threads and returns every answer. */
    static List<Response> concurrently(IntFunction<Callable<Response>> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(REQUESTS);
        try {
            CountDownLatch ready = new CountDownLatch(REQUESTS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                Callable<Response> call = request.apply(i);
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return call.call();
                }));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            List<Response> answers = new ArrayList<>();
            for (Future<Response> f : futures) {
                answers.add(f.get(120, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Integer> statuses(List<Response> answers) {
        return answers.stream().map(Response::statusCode).toList();
    }
}
