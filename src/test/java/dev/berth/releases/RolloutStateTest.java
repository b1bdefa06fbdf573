package dev.berth.releases;

import static dev.berth.releases.RolloutState.ABORTED;
import static dev.berth.releases.RolloutState.AWAITING_PROMOTE;
import static dev.berth.releases.RolloutState.CANARY;
import static dev.berth.releases.RolloutState.DEPLOYING;
import static dev.berth.releases.RolloutState.FAILED;
import static dev.berth.releases.RolloutState.HOLDING;
import static dev.berth.releases.RolloutState.RELEASE_COMMAND;
import static dev.berth.releases.RolloutState.SUCCEEDED;
import static dev.berth.releases.RolloutState.SUPERSEDED;
import static dev.berth.releases.RolloutState.SWITCHED_BACK;
import static dev.berth.releases.RolloutState.SWITCHING;
import static dev.berth.releases.RolloutState.WAVE_PAUSED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.state.IllegalTransition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rollout's transition table, edge by edge, and that {@link Rollout#move} writes nothing it refuses. */
class RolloutStateTest {
    /** The table as docs/architecture.md states it; the enum must say exactly this. */
    static final Map<RolloutState, Set<RolloutState>> ALLOWED = Map.ofEntries(
            Map.entry(RELEASE_COMMAND, Set.of(DEPLOYING, FAILED, ABORTED, SUPERSEDED)),
            Map.entry(DEPLOYING, Set.of(DEPLOYING, AWAITING_PROMOTE, CANARY, HOLDING, WAVE_PAUSED, SWITCHING,
                    SUCCEEDED, FAILED, ABORTED, SUPERSEDED)),
            Map.entry(AWAITING_PROMOTE, Set.of(DEPLOYING, HOLDING, WAVE_PAUSED, ABORTED)),
            Map.entry(CANARY, Set.of(DEPLOYING, SUCCEEDED, ABORTED)),
            Map.entry(HOLDING, Set.of(HOLDING, SUCCEEDED, SWITCHED_BACK)),
            Map.entry(WAVE_PAUSED, Set.of(DEPLOYING, HOLDING, ABORTED, SUPERSEDED)),
            Map.entry(SWITCHING, Set.of(SUCCEEDED)),
            Map.entry(SUCCEEDED, Set.of()),
            Map.entry(FAILED, Set.of()),
            Map.entry(ABORTED, Set.of()),
            Map.entry(SUPERSEDED, Set.of()),
            Map.entry(SWITCHED_BACK, Set.of()));

    static Stream<Arguments> everyPair() {
        List<Arguments> pairs = new ArrayList<>();
        for (RolloutState from : RolloutState.values()) {
            for (RolloutState to : RolloutState.values()) {
                pairs.add(Arguments.of(from, to, ALLOWED.get(from).contains(to)));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @MethodSource("everyPair")
    void everyMoveIsAllowedOrRefusedAsTheTableSays(RolloutState from, RolloutState to, boolean allowed) {
        assertThat(from.canMoveTo(to)).isEqualTo(allowed);
        Rollout ro = rollout(from, "before");
        if (allowed) {
            ro.move(to, "moved");
            assertThat(ro.state).isEqualTo(to);
            assertThat(ro.reason).isEqualTo("moved");
        } else {
            assertThatThrownBy(() -> ro.move(to, "moved")).isInstanceOf(IllegalTransition.class)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("rollout cannot move from " + from.value() + " to " + to.value());
            assertThat(ro.state).as("nothing written").isEqualTo(from);
            assertThat(ro.reason).isEqualTo("before");
            assertThat(ro.finishedAt).isNull();
        }
    }

    @Test
    void theTableCoversEveryState() {
        assertThat(ALLOWED.keySet()).containsExactlyInAnyOrder(RolloutState.values());
    }

    @Test
    void aSucceededRolloutCannotGoBackToDeploying() {
        Rollout ro = rollout(SUCCEEDED, "all replicas ready");
        assertThatThrownBy(() -> ro.move(DEPLOYING, "again")).isInstanceOf(IllegalTransition.class);
        assertThat(ro.state).isEqualTo(SUCCEEDED);
    }

    @Test
    void endedRolloutsAreFinalAndInactive() {
        for (RolloutState s : List.of(SUCCEEDED, FAILED, ABORTED, SUPERSEDED, SWITCHED_BACK)) {
            assertThat(s.next()).as(s.value()).isEmpty();
            assertThat(s.active()).isFalse();
        }
        assertThat(Rollout.ACTIVE).containsExactlyInAnyOrder(RELEASE_COMMAND, DEPLOYING, AWAITING_PROMOTE, CANARY, HOLDING,
                WAVE_PAUSED, SWITCHING);
    }

    @Test
    void importantEdges() {
        assertThat(HOLDING.canMoveTo(SWITCHED_BACK)).as("switch back ends the hold").isTrue();
        assertThat(CANARY.canMoveTo(SWITCHED_BACK)).as("a canary has no colour to switch back to").isFalse();
        assertThat(SWITCHING.canMoveTo(ABORTED)).as("nothing to abort once the Service moved").isFalse();
        assertThat(SWITCHING.canMoveTo(FAILED)).isFalse();
        assertThat(AWAITING_PROMOTE.canMoveTo(SUPERSEDED)).as("a deciding rollout refuses a new release").isFalse();
        assertThat(CANARY.canMoveTo(SUPERSEDED)).isFalse();
        assertThat(WAVE_PAUSED.canMoveTo(FAILED)).as("a paused rollout has no deadline").isFalse();
        assertThat(HOLDING.canMoveTo(ABORTED)).as("after the switch only switch back").isFalse();
        assertThat(DEPLOYING.canMoveTo(DEPLOYING)).as("the next wave").isTrue();
    }

    @Test
    void aRolloutThatEndsRecordsWhen() {
        Rollout ro = rollout(DEPLOYING, null);
        ro.move(WAVE_PAUSED, "wave 1 ready");
        assertThat(ro.finishedAt).isNull();
        ro.move(ABORTED, "aborted");
        assertThat(ro.finishedAt).isNotNull();
    }

    @Test
    void storedAndShownAsTheLowercaseNames() throws Exception {
        RolloutState.Column column = new RolloutState.Column();
        for (RolloutState s : RolloutState.values()) {
            assertThat(column.convertToEntityAttribute(column.convertToDatabaseColumn(s))).isEqualTo(s);
            assertThat(RolloutState.of(s.value())).isEqualTo(s);
            assertThat(new ObjectMapper().writeValueAsString(s)).isEqualTo("\"" + s.value() + "\"");
        }
        assertThat(Arrays.stream(RolloutState.values()).map(RolloutState::value)).containsExactly("release-command", "deploying",
                "awaiting-promote", "canary", "holding", "wave-paused", "switching", "succeeded", "failed", "aborted",
                "superseded", "switched-back");
        assertThatThrownBy(() -> RolloutState.of("paused")).isInstanceOf(IllegalArgumentException.class);
    }

    private static Rollout rollout(RolloutState state, String reason) {
        Rollout ro = new Rollout();
        ro.state = state;
        ro.reason = reason;
        return ro;
    }
}
