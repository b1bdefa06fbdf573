package dev.berth.quotas;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UsageChartTest {

    @Test
    void coordinatesAreWrittenAsFormatWritesThemWithOneDecimal() {
        for (double v : new double[] {0, 2, 12, 12.04, 12.05, 12.06, 99.95, 108, 317.96, 318, 0.04, 0.05, 1e-9}) {
            assertThat(UsageChart.fmt(v)).as("%s", v).isEqualTo(String.format(Locale.ROOT, "%.1f", v));
        }
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            // Coordinates are in [0, 320]; a value exactly halfway between two tenths is the only place where a
            // double's rounding could differ, so compare away from those.
            double v = random.nextDouble() * 320;
            if (Math.abs(v * 10 - Math.floor(v * 10) - 0.5) < 1e-6) {
                continue;
            }
            assertThat(UsageChart.fmt(v)).as("%s", v).isEqualTo(String.format(Locale.ROOT, "%.1f", v));
        }
        assertThat(UsageChart.fmt(-1.25)).isEqualTo("-1.3");
        assertThat(UsageChart.fmt(-0.01)).isEqualTo("0.0");
    }

    @Test
    void aWeekOfHourlyPointsIsDrawnStepByStepOnOneScale() {
        Instant from = Instant.parse("2026-12-01T00:00:00Z");
        Instant to = from.plusSeconds(7 * 24 * 3600);
        List<UsageChart.Point> series = new ArrayList<>();
        for (int h = 0; h <= 168; h++) {
            series.add(new UsageChart.Point(from.plusSeconds(h * 3600L), h % 10, h < 84 ? 10 : 20));
        }
        UsageChart chart = UsageChart.of("pods", "Pods", series, from, to, 80, String::valueOf, UsageChart.Axis.COUNT);

        String[] used = chart.usedPoints().split(" ");
        assertThat(used).hasSize(169);
        assertThat(used[0]).isEqualTo("2.0,108.0");       // 0 pods at the left edge, on the bottom line
        assertThat(used[168]).isEqualTo("318.0," + UsageChart.fmt(108 - 96 * 8 / 20.0)); // 8 of a top of 20
        // The limit steps up once: every point twice except the first, plus the start at the left edge.
        assertThat(chart.limitPoints().split(" ")).hasSize(1 + 169 + 168);
        assertThat(chart.limitY()).isEqualTo("12.0");       // the current limit is the scale's top
        assertThat(chart.ticks()).extracting(UsageChart.Tick::label).containsExactly("0", "10", "20");
        assertThat(chart.points()).isEqualTo(169);
        assertThat(chart.percent()).isEqualTo(40);
        assertThat(chart.state()).isEqualTo("ok");
    }
}
