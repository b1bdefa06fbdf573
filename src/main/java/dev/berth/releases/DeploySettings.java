package dev.berth.releases;

/**
 * An app's deploy strategy and its settings, as the API reads and writes them; absent fields keep their value.
 *
 * @param strategy {@code rolling} (default), {@code recreate}, {@code blue-green} or {@code canary}
 * @param maxSurge rolling: extra pods during an update, a count ("1") or a percentage ("25%")
 * @param maxUnavailable rolling: pods that may be missing during an update, a count or a percentage
 * @param autoPromote blue/green: switch as soon as the new colour is ready (true) or wait for promote (false)
 * @param holdSeconds blue/green: how long the previous colour stays up for an instant switch back
 * @param progressDeadlineSeconds how long a release may take to become ready before it is marked failed
 * @param canaryWeight canary: percentage of traffic (ingress weight) and of replicas for the canary
 * @param version the settings' version, to send back in {@code If-Match}; ignored in a request body
 */
public record DeploySettings(String strategy, String maxSurge, String maxUnavailable, Boolean autoPromote,
        Integer holdSeconds, Integer progressDeadlineSeconds, Integer canaryWeight, Long version) {

    static DeploySettings of(AppDeploy d) {
        return new DeploySettings(d.strategy, d.maxSurge, d.maxUnavailable, d.autoPromote, d.holdSeconds,
                d.progressDeadlineSeconds, d.canaryWeight, d.version);
    }
}
