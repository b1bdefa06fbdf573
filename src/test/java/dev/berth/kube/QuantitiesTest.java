package dev.berth.kube;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class QuantitiesTest {
    @ParameterizedTest
    @CsvSource({"500m,500", "0.5,500", "1,1000", "2,2000", "1.5,1500", "1m,1", "1000,1000000"})
    void cpuQuantitiesParseToMillicores(String text, int millis) {
        assertThat(Quantities.parseCpuMillis(text)).isEqualTo(millis);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "abc", "-1", "0", "0m", "1.5m", "0.0001", "1001", "2 cores", "1,5", "500Mx", "1e"})
    void invalidCpuQuantitiesAreRefused(String text) {
        assertThat(Quantities.parseCpuMillis(text)).isEqualTo(-1);
    }

    @ParameterizedTest
    @CsvSource({"128Mi,134217728", "1Gi,1073741824", "1G,1000000000", "512Ki,524288", "1000,1000", "1.5Gi,1610612736",
            "1e3,1000"})
    void memoryQuantitiesParseToBytes(String text, long bytes) {
        assertThat(Quantities.parseMemoryBytes(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"abc", "-1Mi", "0", "0.5", "1.5m", "8GB", "8 Gi", "100Ti"})
    void invalidMemoryQuantitiesAreRefused(String text) {
        assertThat(Quantities.parseMemoryBytes(text)).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 100, 250, 999, 1000, 1500, 4000, 1_000_000})
    void cpuFormatsCanonicallyAndParsesBack(int millis) {
        assertThat(Quantities.parseCpuMillis(Quantities.cpu(millis))).isEqualTo(millis);
    }

    @Test
    void cpuUsesWholeCoresWhenItCan() {
        assertThat(Quantities.cpu(4000)).isEqualTo("4");
        assertThat(Quantities.cpu(1500)).isEqualTo("1500m");
        assertThat(Quantities.cpu(250)).isEqualTo("250m");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 1000, 1024, 134217728, 1610612736, 1073741824, 8589934592L, 1000000000})
    void memoryFormatsCanonicallyAndParsesBack(long bytes) {
        assertThat(Quantities.parseMemoryBytes(Quantities.memory(bytes))).isEqualTo(bytes);
    }

    @Test
    void memoryUsesTheLargestBinaryUnitThatFits() {
        assertThat(Quantities.memory(8L << 30)).isEqualTo("8Gi");
        assertThat(Quantities.memory(1536L << 20)).isEqualTo("1536Mi");
        assertThat(Quantities.memory(512L << 10)).isEqualTo("512Ki");
        assertThat(Quantities.memory(1000)).isEqualTo("1000");
    }

    @Test
    void sameAmountComparesValuesNotText() {
        assertThat(Quantities.sameAmount("1", "1000m")).isTrue();
        assertThat(Quantities.sameAmount("1Gi", "1024Mi")).isTrue();
        assertThat(Quantities.sameAmount("1G", "1Gi")).isFalse();
        assertThat(Quantities.sameAmount("abc", "abc")).isFalse();
    }

    @Test
    void aMillionDigitsAreRefusedBeforeAnyArithmetic() {
        long start = System.nanoTime();
        assertThat(Quantities.parseCpuMillis("1".repeat(1_000_000))).isEqualTo(-1);
        assertThat(Quantities.parseMemoryBytes("1".repeat(1_000_000) + "Mi")).isEqualTo(-1);
        assertThat(Quantities.parseCpuMillis("1e99999999")).isEqualTo(-1);
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofMillis(500));
        assertThat(Quantities.parseCpuMillis("1e2")).isEqualTo(100_000);
    }
}
