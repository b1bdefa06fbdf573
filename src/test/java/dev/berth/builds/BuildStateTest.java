package dev.berth.builds;

import static dev.berth.builds.BuildState.BUILDING;
import static dev.berth.builds.BuildState.CANCELLED;
import static dev.berth.builds.BuildState.CLONING;
import static dev.berth.builds.BuildState.FAILED;
import static dev.berth.builds.BuildState.PUSHING;
import static dev.berth.builds.BuildState.QUEUED;
import static dev.berth.builds.BuildState.SUCCEEDED;
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

/** The build's transition table, edge by edge, and that {@link Build#moveTo} writes nothing it refuses. */
class BuildStateTest {
    static final Map<BuildState, Set<BuildState>> ALLOWED = Map.of(
            QUEUED, Set.of(CLONING, FAILED, CANCELLED),
            CLONING, Set.of(BUILDING, SUCCEEDED, FAILED, CANCELLED, QUEUED),
            BUILDING, Set.of(PUSHING, FAILED, CANCELLED, QUEUED),
            PUSHING, Set.of(SUCCEEDED, FAILED, CANCELLED, QUEUED),
            SUCCEEDED, Set.of(),
            FAILED, Set.of(),
            CANCELLED, Set.of());

    static Stream<Arguments> everyPair() {
        List<Arguments> pairs = new ArrayList<>();
        for (BuildState from : BuildState.values()) {
            for (BuildState to : BuildState.values()) {
                pairs.add(Arguments.of(from, to, ALLOWED.get(from).contains(to)));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @MethodSource("everyPair")
    void everyMoveIsAllowedOrRefusedAsTheTableSays(BuildState from, BuildState to, boolean allowed) {
        assertThat(from.canMoveTo(to)).isEqualTo(allowed);
        Build b = new Build();
        b.state = from;
        if (allowed) {
            b.moveTo(to);
            assertThat(b.state).isEqualTo(to);
        } else {
            assertThatThrownBy(() -> b.moveTo(to)).isInstanceOf(IllegalTransition.class)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("build cannot move from " + from.value() + " to " + to.value());
            assertThat(b.state).as("nothing written").isEqualTo(from);
        }
    }

    @Test
    void aCancelledBuildCannotSucceed() {
        Build b = new Build();
        b.state = CANCELLED;
        assertThatThrownBy(() -> b.moveTo(SUCCEEDED)).isInstanceOf(IllegalTransition.class);
        assertThat(b.state).isEqualTo(CANCELLED);
    }

    @Test
    void importantEdges() {
        assertThat(new Build().state).as("a new build is queued").isEqualTo(QUEUED);
        assertThat(QUEUED.canMoveTo(BUILDING)).as("a build is claimed before it builds").isFalse();
        assertThat(QUEUED.canMoveTo(SUCCEEDED)).isFalse();
        assertThat(CLONING.canMoveTo(SUCCEEDED)).as("an image of the same inputs is reused").isTrue();
        assertThat(BUILDING.canMoveTo(SUCCEEDED)).as("every builder pushes before it succeeds").isFalse();
        assertThat(PUSHING.canMoveTo(QUEUED)).as("queued again when Berth stops").isTrue();
        assertThat(SUCCEEDED.canMoveTo(FAILED)).as("a succeeded build keeps its image").isFalse();
        assertThat(FAILED.canMoveTo(QUEUED)).as("a failed build is built again as a new build").isFalse();
    }

    @Test
    void runningAndFinishedFollowTheTable() {
        assertThat(BuildState.runningStates()).allMatch(BuildState::running).containsExactlyInAnyOrder(CLONING,
                BUILDING, PUSHING);
        assertThat(BuildState.finishedStates()).allMatch(s -> s.next().isEmpty() && s.finished());
        assertThat(BuildQueue.RUNNING_SQL).isEqualTo("('cloning', 'building', 'pushing')");
    }

    @Test
    void storedAndShownAsTheLowercaseNames() throws Exception {
        BuildState.Column column = new BuildState.Column();
        for (BuildState s : BuildState.values()) {
            assertThat(column.convertToEntityAttribute(column.convertToDatabaseColumn(s))).isEqualTo(s);
            assertThat(new ObjectMapper().writeValueAsString(s)).isEqualTo("\"" + s.value() + "\"");
        }
        assertThat(Arrays.stream(BuildState.values()).map(BuildState::value)).containsExactly("queued", "cloning",
                "building", "pushing", "succeeded", "failed", "cancelled");
    }
}
