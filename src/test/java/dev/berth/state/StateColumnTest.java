package dev.berth.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.builds.BuildState;
import dev.berth.processes.RunState;
import dev.berth.regions.RegionHealth;
import dev.berth.releases.RolloutState;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The state enums' converters, all one generic {@link StateColumn}, store the values the CHECK constraints list
 * (the lowercase names, a region's health as the nullable boolean {@code reachable}) and read them back.
 */
class StateColumnTest {
    @Test
    void everyStateIsStoredAsItsValueAndReadBack() {
        roundTrip(new BuildState.Column(), BuildState.values());
        roundTrip(new RolloutState.Column(), RolloutState.values());
        roundTrip(new RunState.Column(), RunState.values());
        roundTrip(new RegionHealth.Column(), RegionHealth.values());
    }

    @Test
    void storedValuesAreTheOnesTheColumnsAlwaysHeld() {
        assertThat(new RolloutState.Column().convertToDatabaseColumn(RolloutState.AWAITING_PROMOTE))
                .isEqualTo("awaiting-promote");
        assertThat(new BuildState.Column().convertToDatabaseColumn(BuildState.CANCELLED)).isEqualTo("cancelled");
        assertThat(new RunState.Column().convertToDatabaseColumn(RunState.LOST)).isEqualTo("lost");
        RegionHealth.Column health = new RegionHealth.Column();
        assertThat(Arrays.asList(health.convertToDatabaseColumn(RegionHealth.UNKNOWN),
                health.convertToDatabaseColumn(RegionHealth.REACHABLE),
                health.convertToDatabaseColumn(RegionHealth.UNREACHABLE))).containsExactly(null, true, false);
    }

    @Test
    void aNullColumnIsTheStateThatStoresNullOrNothing() {
        assertThat(new RegionHealth.Column().convertToEntityAttribute(null)).isEqualTo(RegionHealth.UNKNOWN);
        assertThat(new BuildState.Column().convertToEntityAttribute(null)).isNull();
        assertThat(new BuildState.Column().convertToDatabaseColumn(null)).isNull();
    }

    @Test
    void anUnknownStoredValueIsRefusedNamingTheEnum() {
        assertThatThrownBy(() -> new RolloutState.Column().convertToEntityAttribute("paused"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RolloutState")
                .hasMessageContaining("paused");
        assertThatThrownBy(() -> RolloutState.of("paused")).hasMessage("unknown rollout state: paused");
    }

    private static <E extends Enum<E> & StoredState<D>, D> void roundTrip(StateColumn<E, D> column, E[] states) {
        List<E> back = Arrays.stream(states).map(column::convertToDatabaseColumn)
                .map(column::convertToEntityAttribute).toList();
        assertThat(back).containsExactly(states);
    }
}
