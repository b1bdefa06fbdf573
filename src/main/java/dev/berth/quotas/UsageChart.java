package dev.berth.quotas;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * One measure's history drawn as an inline SVG line chart (no JavaScript): use as a line over a filled area, the
 * limit as a dashed step line, both on one scale from 0 to a little above the larger of them. The geometry is
 * computed here, so the template only places the points ({@code tags/usageChart.html}).
 */
public record UsageChart(String measure, String title, long used, long limit, String usedText, String limitText,
        int percent, String state, String usedPoints, String areaPoints, String limitPoints, String scaleText,
        String fromText, String toText, int points) {
    public static final int WIDTH = 320;
    public static final int HEIGHT = 110;
    static final double LEFT = 2;
    static final double RIGHT = WIDTH - 2;
    static final double TOP = 14;
    static final double BOTTOM = HEIGHT - 2;
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("MMM d HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** One point of a series: when, what was used, and the limit then. */
    public record Point(Instant at, long used, long limit) {
    }

    public boolean isOver() {
        return state.equals("over");
    }

    public boolean isNear() {
        return state.equals("near");
    }

    /**
     * Draws {@code series} (oldest first; the last point is the current use) over [from, to]. {@code text} renders
     * an amount of the measure's unit ("300m", "2Gi", "12").
     */
    public static UsageChart of(String measure, String title, List<Point> series, Instant from, Instant to,
            int nearPercent, LongFunction<String> text) {
        Point now = series.get(series.size() - 1);
        long top = 1;
        for (Point p : series) {
            top = Math.max(top, Math.max(p.used(), p.limit()));
        }
        double scale = top * 1.1;
        double span = Math.max(1, to.toEpochMilli() - from.toEpochMilli());
        StringBuilder used = new StringBuilder();
        StringBuilder limit = new StringBuilder();
        double firstX = 0;
        double lastX = 0;
        for (int i = 0; i < series.size(); i++) {
            Point p = series.get(i);
            double x = LEFT + (RIGHT - LEFT) * Math.min(1, Math.max(0, (p.at().toEpochMilli() - from.toEpochMilli())
                    / span));
            if (i == 0) {
                firstX = x;
            } else {
                // A step: the previous limit holds until this point.
                append(limit, x, y(series.get(i - 1).limit(), scale));
            }
            append(used, x, y(p.used(), scale));
            append(limit, x, y(p.limit(), scale));
            lastX = x;
        }
        String area = fmt(firstX) + "," + fmt(BOTTOM) + " " + used + fmt(lastX) + "," + fmt(BOTTOM);
        return new UsageChart(measure, title, now.used(), now.limit(), text.apply(now.used()), text.apply(now.limit()),
                UsageNow.percent(now.used(), now.limit()), UsageNow.state(now.used(), now.limit(), nearPercent),
                used.toString().trim(), area, limit.toString().trim(), text.apply((long) Math.ceil(scale)),
                DAY.format(from), DAY.format(to), series.size());
    }

    private static double y(long value, double scale) {
        return BOTTOM - (BOTTOM - TOP) * (value / scale);
    }

    private static void append(StringBuilder sb, double x, double y) {
        sb.append(fmt(x)).append(',').append(fmt(y)).append(' ');
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
