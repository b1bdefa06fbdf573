package dev.berth.builds.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.berth.builds.source.UrlGuard;
import dev.berth.builds.webhooks.WebhookSignatures;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Plain unit tests of the build pieces that need neither Quarkus nor a database. */
class BuildUnitsTest {
    @Test
    void gitHubSignaturesMatchTheDocumentedExampleAndNothingElse() {
        byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);
        String secret = "It's a Secret to Everybody";
        String documented = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assertThat(WebhookSignatures.validGitHub(secret, body, documented)).isTrue();
        assertThat(WebhookSignatures.validGitHub(secret, body, documented.toUpperCase().replace("SHA256=", "sha256=")))
                .isTrue();
        assertThat(WebhookSignatures.validGitHub(secret, "Hello, World?".getBytes(StandardCharsets.UTF_8), documented))
                .isFalse();
        assertThat(WebhookSignatures.validGitHub(secret, body, documented.substring(7))).isFalse(); // prefix required
        assertThat(WebhookSignatures.validGitHub(secret, body, null)).isFalse();
        assertThat(WebhookSignatures.validGitea(secret, body, documented.substring(7))).isTrue();
        assertThat(WebhookSignatures.validGitLab(secret, secret)).isTrue();
        assertThat(WebhookSignatures.validGitLab(secret, secret + " ")).isFalse();
    }

    @Test
    void internalAddressesAreRecognisedWhateverTheirForm() throws Exception {
        for (String internal : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "::1", "fd12::1", "fe80::1", "::ffff:10.0.0.1", "224.0.0.1")) {
            assertThat(UrlGuard.internal(InetAddress.getByName(internal))).as(internal).isNotNull();
        }
        for (String external : List.of("93.184.216.34", "1.1.1.1", "2606:4700:4700::1111")) {
            assertThat(UrlGuard.internal(InetAddress.getByName(external))).as(external).isNull();
        }
    }

    @Test
    void secretsAreRedactedFromLogLinesIncludingEachLineOfAKey() {
        String key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";
        List<String> secrets = List.of("tok-1234567890", key);
        assertThat(BuildLog.redact("fatal: https://x:tok-1234567890@host/repo", secrets))
                .isEqualTo("fatal: https://x:****@host/repo");
        assertThat(BuildLog.redact("key b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ leaked", secrets))
                .isEqualTo("key **** leaked");
        assertThat(BuildLog.redact("x".repeat(5000), secrets)).hasSizeLessThan(4100).endsWith("[line cut]");
    }

    @Test
    void aBuildProcessIsKilledAtItsDeadlineAndItsOutputKept() throws Exception {
        List<String> lines = new ArrayList<>();
        BuildControl control = new BuildControl(Duration.ofMillis(800));
        Instant start = Instant.now();
        assertThatThrownBy(() -> ProcessRunner.run(List.of("sh", "-c", "echo started; sleep 30; echo never"),
                Path.of("."), Map.of(), lines::add, control))
                .isInstanceOf(ProcessRunner.StoppedException.class).hasMessageContaining("timed out");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
        assertThat(lines).contains("started").doesNotContain("never");
    }

    @Test
    void theShorterOfThePlansAndThePlatformsBuildTimeoutAppliesAndIsNamed() {
        Duration global = Duration.ofMinutes(15);
        BuildTimeout plan = BuildTimeout.effective(global, null, "free", 600);
        assertThat(plan.duration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(plan.reason()).isEqualTo("timed out after 10 min (plan 'free' build timeout)");
        BuildTimeout capped = BuildTimeout.effective(global, null, "business", 3600);
        assertThat(capped.duration()).isEqualTo(global);
        assertThat(capped.reason()).isEqualTo("timed out after 15 min (berth.builds.timeout)");
        BuildTimeout override = BuildTimeout.effective(global, 120, "business", 3600);
        assertThat(override.reason()).isEqualTo("timed out after 2 min (the tenant's build timeout override)");
        assertThat(BuildTimeout.effective(global, 5400, "free", 600).limit()).isEqualTo("berth.builds.timeout");
        assertThat(BuildTimeout.effective(Duration.ofSeconds(90), null, "free", 600).text()).isEqualTo("90 s");
        // A build stopped by its deadline says which limit stopped it.
        BuildControl control = new BuildControl(new BuildTimeout(Duration.ofMillis(1), "plan 'free' build timeout"));
        await().atMost(Duration.ofSeconds(2)).until(control::timedOut);
        assertThat(control.stopReason()).isEqualTo("timed out after 0 s (plan 'free' build timeout)");
        assertThat(new BuildControl(Duration.ofMinutes(2)).remainingSeconds()).isBetween(119L, 120L);
    }

    @Test
    void aCancelStopsTheProcessTreeAtOnce() throws Exception {
        BuildControl control = new BuildControl(Duration.ofMinutes(5));
        new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            control.requestCancel();
        }).start();
        Instant start = Instant.now();
        assertThatThrownBy(() -> ProcessRunner.run(List.of("sh", "-c", "sleep 30 & wait"), Path.of("."), Map.of(),
                l -> { }, control)).hasMessage("cancelled");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aDigestPinsTheImageInsteadOfTheTag() {
        assertThat(dev.berth.builds.registry.PushedImages.digestRef("127.0.0.1:5000/team/web:abc123", "sha256:00ff"))
                .isEqualTo("127.0.0.1:5000/team/web@sha256:00ff");
    }

    @Test
    void buildToolsInheritNothingOfBerthsOwnSettings() {
        Map<String, String> parent = Map.of("PATH", "/usr/bin", "HOME", "/root", "BERTH_SECRETS_KEY", "k",
                "QUARKUS_DATASOURCE_PASSWORD", "pw", "PGPASSWORD", "pw2", "LANG", "C.UTF-8", "HTTPS_PROXY",
                "http://proxy:3128", "AWS_SECRET_ACCESS_KEY", "s");
        assertThat(ProcessRunner.inherited(parent)).containsOnlyKeys("PATH", "LANG", "HTTPS_PROXY");
    }
}
