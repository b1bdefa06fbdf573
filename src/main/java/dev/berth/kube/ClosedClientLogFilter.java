package dev.berth.kube;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Drops the warning a Fabric8 informer logs, with its stack trace, when its watch or list fails because Berth closed
 * the region's client: a region removed or disconnected, and every region when Berth stops. The informers are
 * closed before their client ({@code RegionCluster.close}), but a watch reconnect already under way inside the HTTP
 * client still completes, fails with "Client is closed", and was logged as a warning each time. Any other failure
 * of an informer is still logged.
 */
@LoggingFilter(name = "closed-cluster-client")
public final class ClosedClientLogFilter implements Filter {
    static final String REFLECTOR = "io.fabric8.kubernetes.client.informers.impl.cache.Reflector";

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!REFLECTOR.equals(record.getLoggerName())) {
            return true;
        }
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            if (t instanceof IllegalStateException && "Client is closed".equals(t.getMessage())) {
                return false;
            }
        }
        return true;
    }
}
