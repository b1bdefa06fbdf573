package dev.berth.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class ClusterErrorsTest {

    @Test
    void theClientsGenericMessageGivesWayToTheRootCause() {
        var e = new KubernetesClientException("An error has occurred.",
                new java.io.IOException("Failed to connect to /127.0.0.1:1", new ConnectException("Connection refused")));
        String text = ClusterErrors.describe(e);
        assertEquals("Failed to connect to /127.0.0.1:1: Connection refused", text);
    }

    @Test
    void anUnknownHostIsNamed() {
        var e = new KubernetesClientException("An error has occurred.", new UnknownHostException("k8s.invalid"));
        assertEquals("unknown host k8s.invalid", ClusterErrors.describe(e));
    }

    @Test
    void anExceptionWithoutMessageIsNamedByItsType() {
        assertEquals("ConnectException", ClusterErrors.describe(new ConnectException()));
    }

    @Test
    void repeatedMessagesAreNotRepeatedAndLongOnesAreCut() {
        var inner = new IllegalStateException("x".repeat(800));
        var outer = new RuntimeException(inner.toString(), inner);
        String text = ClusterErrors.describe(outer);
        assertTrue(text.length() <= 500, text);
    }
}
