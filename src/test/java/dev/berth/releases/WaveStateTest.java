package dev.berth.releases;

import static dev.berth.releases.WaveState.CURRENT;
import static dev.berth.releases.WaveState.DONE;
import static dev.berth.releases.WaveState.FAILED;
import static dev.berth.releases.WaveState.NEXT;
import static dev.berth.releases.WaveState.NOT_REACHED;
import static dev.berth.releases.WaveState.WAITING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.state.IllegalTransition;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The waves' table, edge by edge, and that a wave's state derived from its rollout ({@link WaveState#of}) only ever
 * changes along it, whatever allowed move the rollout makes.
 */
class WaveStateTest {
    static final Map<WaveState, Set<WaveState>> ALLOWED = Map.of(
            WAITING, Set.of(NEXT, CURRENT, DONE, NOT_REACHED),
            NEXT, Set.of(WAITING, CURRENT, NOT_REACHED),
            CURRENT, Set.of(DONE, FAILED, NOT_REACHED),
            DONE, Set.of(CURRENT, FAILED, NOT_REACHED),
            FAILED, Set.of(),
            NOT_REACHED, Set.of());

    static Stream<Arguments> everyPair() {
        List<Arguments> pairs = new ArrayList<>();
        for (WaveState from : WaveState.values()) {
            for (WaveState to : WaveState.values()) {
                pairs.add(Arguments.of(from, to, ALLOWED.get(from).contains(to)));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @MethodSource("everyPair")
    void everyChangeIsAllowedOrRefusedAsTheTableSays(WaveState from, WaveState to, boolean allowed) {
        assertThat(from.canMoveTo(to)).isEqualTo(allowed);
        if (allowed) {
            assertThat(from.requireMoveTo(to)).isEqualTo(to);
        } else {
            assertThatThrownBy(() -> from.requireMoveTo(to)).isInstanceOf(IllegalTransition.class);
        }
    }

    /**
     * Every allowed move of a rollout with three waves, from every wave it can be in: each wave's derived state
     * stays or changes along an allowed edge, and every edge of the table is taken by some move (none is dead).
     */
    @Test
    void wavesDerivedFromTheRolloutChangeOnlyAlongTheTable() {
        int waves = 3;
        Map<WaveState, Set<WaveState>> seen = new EnumMap<>(WaveState.class);
        for (RolloutState from : RolloutState.values()) {
            for (RolloutState to : from.next()) {
                for (int wave = 0; wave < waves; wave++) {
                    // Every move into deploying starts the next wave; no other move changes the wave.
                    int after = to == RolloutState.DEPLOYING ? wave + 1 : wave;
                    if (after >= waves) {
                        continue;
                    }
                    for (int i = 0; i < waves; i++) {
                        WaveState before = WaveState.of(from, wave, i);
                        WaveState now = WaveState.of(to, after, i);
                        if (before != now) {
                            assertThat(before.canMoveTo(now)).as("wave %d when the rollout moves %s (wave %d) -> %s"
                                    + " (wave %d): %s -> %s", i + 1, from, wave + 1, to, after + 1, before, now)
                                    .isTrue();
                            seen.computeIfAbsent(before, k -> EnumSet.noneOf(WaveState.class)).add(now);
                        }
                    }
                }
            }
        }
        for (WaveState s : WaveState.values()) {
            assertThat(seen.getOrDefault(s, Set.of())).as("changes from " + s).isEqualTo(s.next());
        }
    }

    @Test
    void aFailedOrUnreachedWaveNeverChangesAgain() {
        assertThat(FAILED.next()).isEmpty();
        assertThat(NOT_REACHED.next()).isEmpty();
        assertThat(CURRENT.canMoveTo(WAITING)).as("a started wave never waits again").isFalse();
        assertThat(DONE.canMoveTo(WAITING)).isFalse();
    }

    @Test
    void whatPagesShowForARolloutInThreeWaves() {
        assertThat(states(RolloutState.DEPLOYING, 1)).containsExactly(DONE, CURRENT, WAITING);
        assertThat(states(RolloutState.WAVE_PAUSED, 0)).containsExactly(DONE, NEXT, WAITING);
        assertThat(states(RolloutState.FAILED, 1)).containsExactly(DONE, FAILED, NOT_REACHED);
        assertThat(states(RolloutState.SUPERSEDED, 1)).containsExactly(DONE, NOT_REACHED, NOT_REACHED);
        assertThat(states(RolloutState.SUCCEEDED, 2)).containsExactly(DONE, DONE, DONE);
        assertThat(NEXT.toString()).isEqualTo("next, on promote");
        assertThat(NOT_REACHED.value()).isEqualTo("not reached");
    }

    private static List<WaveState> states(RolloutState state, int wave) {
        return List.of(WaveState.of(state, wave, 0), WaveState.of(state, wave, 1), WaveState.of(state, wave, 2));
    }
}
