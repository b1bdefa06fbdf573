package dev.berth.quotas;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * One measure's history drawn as an inline SVG line chart (no JavaScript): use as a line over a filled area ending in a
 * dot at the current use, the limit as a dashed step line across the whole chart (the first known limit drawn from
 * the left edge), on one scale from 0 to a round value of the measure's unit at or above the larger of them, with
 * three labelled grid lines in that unit ({@link Axis}: counts, millicores or cores, MiB or GiB, minutes). The
 * geometry is computed here, so the template only places the points ({@code tags/usageChart.html}).
 */
public record UsageChart(String measure, String title, long used, long limit, String usedText, String limitText,
        int percent, String state, String usedPoints, String areaPoints, String limitPoints, List<Tick> ticks,
        String usedX, String usedY, String limitY, String limitLabel, String fromText, String toText, int points) {
    public static final int WIDTH = 320;
    public static final int HEIGHT = 110;
    static final double LEFT = 2;
    static final double RIGHT = WIDTH - 2;
    static final double TOP = 12;
    static final double BOTTOM = HEIGHT - 2;
    private static final long MI = 1024L * 1024;
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("MMM d HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** One point of a series: when, what was used, and the limit then. */
    public record Point(Instant at, long used, long limit) {
    }

    /** A labelled horizontal grid line at {@code y}. */
    public record Tick(String y, String label) {
    }

    /** The unit of a measure's axis: how a round top is chosen and how values are labelled. */
    public enum Axis {
        /** Whole numbers (apps, pods). */
        COUNT,
        /** Millicores, labelled as millicores below one core and as cores above. */
        CPU_MILLIS,
        /** Bytes, on powers of two of MiB, labelled as MiB or GiB. */
        BYTES,
        /** Minutes. */
        MINUTES;

        /** A round value at or above {@code max} in this unit. */
        long top(long max) {
            return switch (this) {
                case BYTES -> {
                    long mib = Math.max(64, (max + MI - 1) / MI);
                    yield Long.highestOneBit(mib) == mib ? mib * MI : Long.highestOneBit(mib) * 2 * MI;
                }
                case CPU_MILLIS -> oneTwoFive(Math.max(100, max));
                default -> oneTwoFive(Math.max(2, max));
            };
        }

        String label(double v) {
            return switch (this) {
                case COUNT -> number(v);
                case MINUTES -> number(v) + " min";
                case CPU_MILLIS -> v == 0 ? "0" : v < 1000 ? number(v) + " millicores"
                        : number(v / 1000) + (v == 1000 ? " core" : " cores");
                case BYTES -> v == 0 ? "0" : v < 1024 * MI ? number(v / MI) + " MiB" : number(v / (1024 * MI)) + " GiB";
            };
        }

        /** The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that is whole and not below max. */
        private static long oneTwoFive(long max) {
            long step = 1;
            while (true) {
                for (long tenths : new long[] {10, 12, 15, 20, 25, 30, 40, 50, 60, 80}) {
                    if (tenths * step % 10 == 0 && tenths * step / 10 >= max) {
                        return tenths * step / 10;
                    }
                }
                step *= 10;
            }
        }

        private static String number(double v) {
            return v == Math.rint(v) ? String.valueOf((long) v)
                    : String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
        }
    }

    public boolean isOver() {
        return state.equals("over");
    }

    public boolean isNear() {
        return state.equals("near");
    }

    /**
     * Draws {@code series} (oldest first; the last point is the current use) over [from, to]. {@code text} renders
     * an amount of the measure's unit for the caption ("300m", "2Gi", "12"); {@code axis} labels the grid.
     */
    public static UsageChart of(String measure, String title, List<Point> series, Instant from, Instant to,
            int nearPercent, LongFunction<String> text, Axis axis) {
        Point now = series.get(series.size() - 1);
        long max = 0;
        for (Point p : series) {
            max = Math.max(max, Math.max(p.used(), p.limit()));
        }
        // The round value at or above the larger of use and limit; the plot ends below the frame's top, so a line
        // at the top still shows.
        double scale = axis.top(max);
        double span = Math.max(1, to.toEpochMilli() - from.toEpochMilli());
        StringBuilder used = new StringBuilder();
        StringBuilder limit = new StringBuilder();
        append(limit, LEFT, y(series.get(0).limit(), scale));
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
        List<Tick> ticks = new java.util.ArrayList<>();
        for (double v : new double[] {0, scale / 2, scale}) {
            if (axis == Axis.COUNT && v != Math.rint(v)) {
                continue; // no half apps
            }
            ticks.add(new Tick(fmt(y((long) v, scale)), axis.label(v)));
        }
        return new UsageChart(measure, title, now.used(), now.limit(), text.apply(now.used()), text.apply(now.limit()),
                UsageNow.percent(now.used(), now.limit()), UsageNow.state(now.used(), now.limit(), nearPercent),
                used.toString().trim(), area, limit.toString().trim(), List.copyOf(ticks), fmt(lastX),
                fmt(y(now.used(), scale)), fmt(y(now.limit(), scale)), "limit " + axis.label(now.limit()),
                DAY.format(from), DAY.format(to), series.size());
    }

    private static double y(long value, double scale) {
        return BOTTOM - (BOTTOM - TOP) * Math.min(1, value / scale);
    }

    private static void append(StringBuilder sb, double x, double y) {
        sb.append(fmt(x)).append(',').append(fmt(y)).append(' ');
    }

    /**
     * {@code v} with one decimal ("12.5", "0.0"), as {@code String.format(Locale.ROOT, "%.1f", v)} writes it for the
     * chart's coordinates (a value a rounding error from halfway between two tenths, such as 1.45, may round the other
     * way: a tenth of a pixel). A dashboard writes about 5,000 coordinates per view with a week of hourly points:
     * {@code String.format}, which parses its pattern each time, took 11 to 14 ms for them, this 0.13 to 0.18 ms.
     */
    static String fmt(double v) {
        long tenths = Math.round(Math.abs(v) * 10);
        String sign = v < 0 && tenths != 0 ? "-" : "";
        return sign + tenths / 10 + "." + tenths % 10;
    }
}
