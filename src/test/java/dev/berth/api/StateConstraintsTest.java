package dev.berth.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.builds.BuildState;
import dev.berth.regions.RegionHealth;
import dev.berth.releases.RolloutState;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The state columns' CHECK constraints (V0024) hold exactly the values of their enums, and the API's OpenAPI
 * document names those values as enums, so the database, the code and the API say the same.
 */
@QuarkusTest
class StateConstraintsTest {
    @Inject
    EntityManager em;

    @Test
    void rolloutStatesInTheDatabaseAreExactlyTheEnum() {
        assertThat(checkValues("rollout_state_check")).containsExactlyInAnyOrderElementsOf(
                values(RolloutState.values(), RolloutState::value));
    }

    @Test
    void runStatesInTheDatabaseAreExactlyTheEnum() {
        assertThat(checkValues("process_run_state_check")).containsExactlyInAnyOrderElementsOf(
                values(dev.berth.processes.RunState.values(), dev.berth.processes.RunState::value));
    }

    @Test
    void buildStatesInTheDatabaseAreExactlyTheEnum() {
        assertThat(checkValues("build_state_check")).containsExactlyInAnyOrderElementsOf(
                values(BuildState.values(), BuildState::value));
    }

    @Test
    void aRegionIsUnreachableExactlyWhileItsUnreachableSinceIsSet() {
        for (String values : List.of("false, null", "true, now()", "null, now()")) {
            assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                    "insert into region (name, display_name, base_domain, connection_kind, reachable, "
                            + "unreachable_since) values ('chk-region', 'x', 'x.example', 'URL', " + values + ")")
                    .executeUpdate())).as(values).hasStackTraceContaining("region_health_check");
        }
        for (String values : List.of("false, now()", "true, null", "null, null")) {
            QuarkusTransaction.requiringNew().run(() -> {
                em.createNativeQuery("insert into region (name, display_name, base_domain, connection_kind, "
                        + "reachable, unreachable_since) values ('chk-region', 'x', 'x.example', 'URL', " + values
                        + ")").executeUpdate();
                em.createNativeQuery("delete from region where name = 'chk-region'").executeUpdate();
            });
        }
    }

    @Test
    void theApiDocumentNamesEveryStateAsAnEnum() throws Exception {
        JsonNode schemas = new ObjectMapper().readTree(given().accept("application/json")
                .get("/q/openapi?format=json").then().statusCode(200).extract().asString())
                .path("components").path("schemas");
        assertThat(enumOf(schemas, "RolloutView", "state")).containsExactlyElementsOf(
                values(RolloutState.values(), RolloutState::value));
        assertThat(enumOf(schemas, "BuildView", "state")).containsExactlyElementsOf(
                values(BuildState.values(), BuildState::value));
        assertThat(enumOf(schemas, "RunView", "state")).containsExactlyElementsOf(
                values(dev.berth.processes.RunState.values(), dev.berth.processes.RunState::value));
        assertThat(enumOf(schemas, "RegionView", "health")).containsExactlyElementsOf(
                values(RegionHealth.values(), RegionHealth::value));
    }

    private List<String> checkValues(String constraint) {
        String definition = QuarkusTransaction.requiringNew().call(() -> (String) em.createNativeQuery(
                "select pg_get_constraintdef(c.oid) from pg_constraint c join pg_namespace n on n.oid = c.connamespace"
                        + " where c.conname = ?1 and n.nspname = current_schema()")
                .setParameter(1, constraint).getSingleResult());
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'").matcher(definition);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The enum values of a property of a schema, inline or behind a $ref. */
    private static List<String> enumOf(JsonNode schemas, String schema, String property) {
        JsonNode node = schemas.path(schema).path("properties").path(property);
        if (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            node = schemas.path(ref.substring(ref.lastIndexOf('/') + 1));
        }
        assertThat(node.path("type").asText()).as(schema + "." + property).isEqualTo("string");
        List<String> out = new ArrayList<>();
        node.path("enum").forEach(v -> out.add(v.asText()));
        return out;
    }

    private static <E> List<String> values(E[] states, Function<E, String> value) {
        return Arrays.stream(states).map(value).toList();
    }
}
