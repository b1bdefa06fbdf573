package dev.berth.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.StatusBuilder;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
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

    @Test
    void aRefusedWriteCarriesTheApiServersCodeAndMessage() {
        String message = "roles.rbac.authorization.k8s.io \"berth-tenant\" is forbidden: attempting to grant RBAC"
                + " permissions not currently held";
        var e = new KubernetesClientException(new StatusBuilder().withCode(403).withReason("Forbidden")
                .withMessage(message).build());
        assertEquals(new ClusterErrors.Refusal(403, message), ClusterErrors.refusal(e).orElseThrow());
        assertFalse(ClusterErrors.unanswered(e), "the server answered");
    }

    @Test
    void aRefusalWithoutStatusMessageIsDescribed() {
        var e = new KubernetesClientException("Failure executing: POST at: https://k8s/apis. Message: Unprocessable",
                422, null);
        assertEquals(422, ClusterErrors.refusal(e).orElseThrow().code());
        assertTrue(ClusterErrors.refusal(e).orElseThrow().message().contains("Unprocessable"));
    }

    @Test
    void refusedConnectionsAndTimeoutsAreUnanswered() {
        var refused = new KubernetesClientException("An error has occurred.",
                new java.io.IOException("Failed to connect", new ConnectException("Connection refused")));
        var timedOut = new KubernetesClientException("An error has occurred.", new SocketTimeoutException("timeout"));
        var cut = new KubernetesClientException("An error has occurred.",
                new io.vertx.core.VertxException("Connection was closed"));
        assertTrue(ClusterErrors.unanswered(refused));
        assertTrue(ClusterErrors.unanswered(timedOut));
        assertTrue(ClusterErrors.unanswered(cut), "a connection the HTTP client saw closed mid-request");
        assertTrue(ClusterErrors.refusal(refused).isEmpty());
    }

    @Test
    void aFailureOfBerthsOwnIsNeitherARefusalNorUnanswered() {
        var bug = new IllegalStateException("cannot compute patch");
        assertFalse(ClusterErrors.unanswered(bug));
        assertTrue(ClusterErrors.refusal(bug).isEmpty());
    }
}
