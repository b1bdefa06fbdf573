package dev.berth.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.state.IllegalTransition;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every allowed and every refused move of a run. */
class RunStateTest {
    @ParameterizedTest
    @CsvSource({"pending,running", "pending,succeeded", "pending,failed", "pending,lost", "running,succeeded",
            "running,failed", "running,lost"})
    void allowedMoves(String from, String to) {
        assertThat(RunState.of(from).requireMoveTo(RunState.of(to))).isEqualTo(RunState.of(to));
    }

    @Test
    void everyOtherMoveIsRefused() {
        int refused = 0;
        for (RunState from : RunState.values()) {
            for (RunState to : EnumSet.complementOf(EnumSet.copyOf(from.next()))) {
                assertThatThrownBy(() -> from.requireMoveTo(to)).isInstanceOf(IllegalTransition.class);
                refused++;
            }
        }
        assertThat(refused).isEqualTo(25 - 7);
    }

    @Test
    void finishedStatesAreTheOnesWithoutMoves() {
        assertThat(EnumSet.allOf(RunState.class).stream().filter(RunState::finished))
                .containsExactlyInAnyOrder(RunState.SUCCEEDED, RunState.FAILED, RunState.LOST);
    }

    @Test
    void aRunRecordsItsTimesAsItMoves() {
        Run r = new Run();
        r.move(RunState.RUNNING, null);
        assertThat(r.startedAt).isNotNull();
        assertThat(r.finishedAt).isNull();
        r.move(RunState.FAILED, "exited with code 3");
        assertThat(r.finishedAt).isNotNull();
        assertThat(r.reason).isEqualTo("exited with code 3");
    }
}
