package dev.berth.kube;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parses CPU and memory quantities the way Kubernetes writes them ("500m", "0.5", "256Mi", "1G") and formats
 * them back in the canonical form the API server returns, so comparisons with the cluster do not see false drift.
 */
public final class Quantities {
    private static final long KI = 1024L;
    private static final long MI = KI * 1024;
    private static final long GI = MI * 1024;

    private Quantities() {
    }

    /** CPU in millicores, or -1 when the text is not a CPU quantity or not a whole number of millicores. */
    public static int parseCpuMillis(String text) {
        BigDecimal cores = amount(text);
        if (cores == null) {
            return -1;
        }
        BigDecimal millis = cores.multiply(BigDecimal.valueOf(1000));
        if (millis.signum() <= 0 || millis.stripTrailingZeros().scale() > 0 || millis.compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
            return -1;
        }
        return millis.intValueExact();
    }

    /** Memory in bytes, or -1 when the text is not a memory quantity. */
    public static long parseMemoryBytes(String text) {
        BigDecimal bytes = amount(text);
        if (bytes == null || bytes.signum() <= 0 || bytes.stripTrailingZeros().scale() > 0
                || bytes.compareTo(BigDecimal.valueOf(GI).multiply(BigDecimal.valueOf(1024 * 64))) > 0) {
            return -1;
        }
        return bytes.longValueExact();
    }

    /**
     * The longest quantity text read at all. BigDecimal arithmetic on a huge text is quadratic (a million digits
     * took over a minute); no real CPU or memory amount needs more than a few digits, so longer text is refused
     * before it is parsed.
     */
    public static final int MAX_LENGTH = 32;

    private static BigDecimal amount(String text) {
        if (text == null || text.length() > MAX_LENGTH || text.isBlank()
                || !text.trim().matches("[0-9]+(\\.[0-9]+)?([eE][0-9]{1,2}|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?")) {
            return null;
        }
        try {
            return Quantity.getAmountInBytes(Quantity.parse(text.trim()));
        } catch (IllegalArgumentException | ArithmeticException e) {
            return null;
        }
    }

    public static String cpu(int millis) {
        return millis % 1000 == 0 ? String.valueOf(millis / 1000) : millis + "m";
    }

    public static String memory(long bytes) {
        if (bytes % GI == 0) {
            return bytes / GI + "Gi";
        }
        if (bytes % MI == 0) {
            return bytes / MI + "Mi";
        }
        if (bytes % KI == 0) {
            return bytes / KI + "Ki";
        }
        return String.valueOf(bytes);
    }

    /** True when both texts are quantities of the same amount ("1" and "1000m", "1Gi" and "1024Mi"). */
    public static boolean sameAmount(String a, String b) {
        BigDecimal x = amount(a);
        BigDecimal y = amount(b);
        return x != null && y != null && x.compareTo(y) == 0;
    }

    /** A resources map ("cpu", "memory") in a stable order, as requests, limits and defaults need it. */
    public static Map<String, Quantity> cpuAndMemory(String cpu, String memory) {
        Map<String, Quantity> m = new TreeMap<>();
        m.put("cpu", new Quantity(cpu));
        m.put("memory", new Quantity(memory));
        return m;
    }
}
