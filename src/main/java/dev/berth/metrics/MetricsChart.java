package dev.berth.metrics;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * One measure of one app in one region drawn as an inline SVG line chart, on the geometry of the usage charts
 * ({@link dev.berth.quotas.UsageChart}: same size, scale from 0 to a little above the largest value): the average
 * use per pod as a line over a filled area, and the pod's request (dashed) and limit (dotted) as straight lines.
 * Computed here so the template only places the points ({@code tags/metricsChart.html}).
 */
public record MetricsChart(String measure, String title, String region, String latestText, String requestText,
        String limitText, String usedPoints, String areaPoints, String requestPoints, String limitPoints,
        String scaleText, String fromText, String toText, int points) {
    static final int WIDTH = 320;
    static final int HEIGHT = 110;
    static final double LEFT = 2;
    static final double RIGHT = WIDTH - 2;
    static final double TOP = 14;
    static final double BOTTOM = HEIGHT - 2;
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("MMM d HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** A point: when, and the average use per pod then. */
    public record Point(Instant at, long perPod) {
    }

    public boolean isEmpty() {
        return points == 0;
    }

    public static MetricsChart of(String measure, String title, String region, List<Point> series, long request,
            long limit, Instant from, Instant to, LongFunction<String> text) {
        long top = Math.max(1, Math.max(request, limit));
        for (Point p : series) {
            top = Math.max(top, p.perPod());
        }
        double scale = top * 1.1;
        double span = Math.max(1, to.toEpochMilli() - from.toEpochMilli());
        StringBuilder used = new StringBuilder();
        double firstX = 0;
        double lastX = 0;
        for (int i = 0; i < series.size(); i++) {
            Point p = series.get(i);
            double x = LEFT + (RIGHT - LEFT) * Math.min(1, Math.max(0,
                    (p.at().toEpochMilli() - from.toEpochMilli()) / span));
            if (i == 0) {
                firstX = x;
            }
            used.append(fmt(x)).append(',').append(fmt(y(p.perPod(), scale))).append(' ');
            lastX = x;
        }
        String area = series.isEmpty() ? "" : fmt(firstX) + "," + fmt(BOTTOM) + " " + used + fmt(lastX) + ","
                + fmt(BOTTOM);
        return new MetricsChart(measure, title, region,
                series.isEmpty() ? "no samples" : text.apply(series.get(series.size() - 1).perPod()),
                text.apply(request), text.apply(limit), used.toString().trim(), area, line(request, scale),
                line(limit, scale), text.apply((long) Math.ceil(scale)), TIME.format(from), TIME.format(to),
                series.size());
    }

    private static String line(long value, double scale) {
        double y = y(value, scale);
        return fmt(LEFT) + "," + fmt(y) + " " + fmt(RIGHT) + "," + fmt(y);
    }

    private static double y(long value, double scale) {
        return BOTTOM - (BOTTOM - TOP) * (value / scale);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
