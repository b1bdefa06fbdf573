package dev.berth.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** Only an informer's failure caused by Berth closing the region's client is left out of the log. */
class ClosedClientLogFilterTest {
    private final ClosedClientLogFilter filter = new ClosedClientLogFilter();

    private static LogRecord record(String logger, Throwable thrown) {
        LogRecord r = new LogRecord(Level.WARNING, "{} failed for {}, will retry");
        r.setLoggerName(logger);
        r.setThrown(thrown);
        return r;
    }

    @Test
    void aReflectorFailingOnAClosedClientIsDropped() {
        assertThat(filter.isLoggable(record(ClosedClientLogFilter.REFLECTOR,
                new CompletionException(new IllegalStateException("Client is closed"))))).isFalse();
    }

    @Test
    void everyOtherFailureIsKept() {
        assertThat(filter.isLoggable(record(ClosedClientLogFilter.REFLECTOR,
                new CompletionException(new java.net.ConnectException("Connection refused"))))).isTrue();
        assertThat(filter.isLoggable(record(ClosedClientLogFilter.REFLECTOR, null))).isTrue();
        assertThat(filter.isLoggable(record("dev.berth.regions.RegionClients",
                new IllegalStateException("Client is closed")))).isTrue();
    }
}
