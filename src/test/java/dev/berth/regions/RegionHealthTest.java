package dev.berth.regions;

import static dev.berth.regions.RegionHealth.REACHABLE;
import static dev.berth.regions.RegionHealth.UNKNOWN;
import static dev.berth.regions.RegionHealth.UNREACHABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.state.IllegalTransition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A region's health table, edge by edge, and what {@link Region#moveHealth} records with it. */
class RegionHealthTest {
    static final Map<RegionHealth, Set<RegionHealth>> ALLOWED = Map.of(
            UNKNOWN, Set.of(REACHABLE, UNREACHABLE),
            REACHABLE, Set.of(REACHABLE, UNREACHABLE),
            UNREACHABLE, Set.of(REACHABLE, UNREACHABLE));

    static Stream<Arguments> everyPair() {
        List<Arguments> pairs = new ArrayList<>();
        for (RegionHealth from : RegionHealth.values()) {
            for (RegionHealth to : RegionHealth.values()) {
                pairs.add(Arguments.of(from, to, ALLOWED.get(from).contains(to)));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @MethodSource("everyPair")
    void everyMoveIsAllowedOrRefusedAsTheTableSays(RegionHealth from, RegionHealth to, boolean allowed) {
        assertThat(from.canMoveTo(to)).isEqualTo(allowed);
        Region r = new Region();
        r.health = from;
        if (allowed) {
            r.moveHealth(to, Instant.now());
            assertThat(r.health()).isEqualTo(to);
        } else {
            assertThatThrownBy(() -> r.moveHealth(to, Instant.now())).isInstanceOf(IllegalTransition.class)
                    .hasMessage("region health cannot move from " + from.value() + " to " + to.value());
            assertThat(r.health()).as("nothing written").isEqualTo(from);
        }
    }

    @Test
    void aProbedRegionNeverBecomesUnknownAgain() {
        assertThat(REACHABLE.canMoveTo(UNKNOWN)).isFalse();
        assertThat(UNREACHABLE.canMoveTo(UNKNOWN)).isFalse();
        assertThat(new Region().health()).isEqualTo(UNKNOWN);
    }

    @Test
    void unreachableSinceIsSetExactlyWhileUnreachableAndKeepsTheFirstFailure() {
        Region r = new Region();
        Instant first = Instant.parse("2026-12-01T10:00:00Z");
        assertThat(r.moveHealth(UNREACHABLE, first)).as("changed").isTrue();
        assertThat(r.unreachableSince).isEqualTo(first);
        assertThat(r.moveHealth(UNREACHABLE, first.plusSeconds(10))).as("confirmed, not changed").isFalse();
        assertThat(r.unreachableSince).as("since the first failed probe").isEqualTo(first);
        assertThat(r.moveHealth(REACHABLE, first.plusSeconds(20))).isTrue();
        assertThat(r.unreachableSince).isNull();
    }

    @Test
    void storedInTheBooleanColumnAsBefore() {
        RegionHealth.Column column = new RegionHealth.Column();
        assertThat(column.convertToDatabaseColumn(UNKNOWN)).isNull();
        assertThat(column.convertToDatabaseColumn(REACHABLE)).isTrue();
        assertThat(column.convertToDatabaseColumn(UNREACHABLE)).isFalse();
        for (RegionHealth h : RegionHealth.values()) {
            assertThat(column.convertToEntityAttribute(column.convertToDatabaseColumn(h))).isEqualTo(h);
        }
        assertThat(UNREACHABLE.toString()).isEqualTo("unreachable");
    }
}
