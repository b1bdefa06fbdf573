package dev.berth.regions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testsupport.BuildInfra;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Image lookups against the real loopback registry (Debian's docker-registry, with a login), as the sandbox's
 * kubelet makes them; {@link RegistryTokenServerTest} covers bearer tokens and redirects.
 */
@QuarkusTest
class RegistryImageInspectorTest {
    private static RegistryImageInspector inspector(String password) {
        return new RegistryImageInspector(BuildInfra.registry(), true,
                () -> Optional.of(new RegistryImageInspector.Credentials(BuildInfra.REGISTRY_USER, password)));
    }

    private static RegistryImageInspector inspector() {
        return inspector(BuildInfra.REGISTRY_PASSWORD);
    }

    @Test
    void anImageWithoutUserIsFoundAsRootAndANonRootOneWithItsUidAndPorts() {
        ImageFacts root = inspector().inspect(BuildInfra.baseImage());
        assertThat(root.availability()).isEqualTo(ImageFacts.Availability.FOUND);
        assertThat(root.user()).isEmpty();

        String nonRoot = BuildInfra.configOnlyImage("inspect/nonroot:1", "65532:65532", 8080);
        ImageFacts facts = inspector().inspect(nonRoot);
        assertThat(facts).isEqualTo(ImageFacts.found("65532:65532", Set.of("8080/tcp")));
    }

    @Test
    void aMissingTagRepositoryOrDigestIsMissing() {
        BuildInfra.baseImage();
        String registry = BuildInfra.registry();
        assertThat(inspector().inspect(registry + "/base/busybox:no-such-tag").availability())
                .isEqualTo(ImageFacts.Availability.MISSING);
        assertThat(inspector().inspect(registry + "/nobody/nothing:1").availability())
                .isEqualTo(ImageFacts.Availability.MISSING);
        assertThat(inspector().inspect(registry + "/base/busybox@sha256:" + "0".repeat(64)).availability())
                .isEqualTo(ImageFacts.Availability.MISSING);
    }

    @Test
    void anIndexResolvesToItsLinuxAmd64Image() {
        String amd64 = BuildInfra.configOnlyImage("inspect/multi:amd64", "1000", 9000);
        String arm64 = BuildInfra.configOnlyImage("inspect/multi:arm64", "", 9001);
        String list = BuildInfra.manifestList("inspect/multi:1", Map.of("arm64", arm64, "amd64", amd64));
        assertThat(inspector().inspect(list)).isEqualTo(ImageFacts.found("1000", Set.of("9000/tcp")));
        String onlyArm = BuildInfra.manifestList("inspect/multi:arm-only", Map.of("arm64", arm64));
        assertThat(inspector().inspect(onlyArm).availability()).isEqualTo(ImageFacts.Availability.MISSING);
    }

    @Test
    void aRefusedLoginSaysNothingAboutTheImage() {
        assertThat(inspector("wrong-password").inspect(BuildInfra.baseImage()).availability())
                .isEqualTo(ImageFacts.Availability.UNKNOWN);
    }

    @Test
    void imagesOnOtherHostsAreUnknownWithoutAnyConnection() throws IOException {
        try (ServerSocket other = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            AtomicInteger accepted = new AtomicInteger();
            Thread t = new Thread(() -> {
                try (Socket s = other.accept()) {
                    accepted.incrementAndGet();
                } catch (IOException closed) {
                    // the test ended
                }
            });
            t.setDaemon(true);
            t.start();
            assertThat(inspector().inspect("127.0.0.1:" + other.getLocalPort() + "/team/web:1").availability())
                    .isEqualTo(ImageFacts.Availability.UNKNOWN);
            assertThat(inspector().inspect("registry.example.com/team/web:1.4").availability())
                    .isEqualTo(ImageFacts.Availability.UNKNOWN);
            assertThat(inspector().inspect("busybox").availability()).isEqualTo(ImageFacts.Availability.UNKNOWN);
            assertThat(accepted).hasValue(0);
        }
    }

    @Test
    void aRegistryThatIsDownOrSilentIsUnknownWithinTheTimeout() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        RegistryImageInspector down = new RegistryImageInspector("127.0.0.1:" + closed, true, Optional::empty);
        assertThat(down.inspect("127.0.0.1:" + closed + "/team/web:1").availability())
                .isEqualTo(ImageFacts.Availability.UNKNOWN);
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            String host = "127.0.0.1:" + silent.getLocalPort();
            Instant start = Instant.now();
            ImageFacts facts = new RegistryImageInspector(host, true, Optional::empty).inspect(host + "/team/web:1");
            assertThat(facts.availability()).isEqualTo(ImageFacts.Availability.UNKNOWN);
            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void answersAreCachedAndATagsAnswerExpiresSoATagPushedLaterIsSeen() {
        MutableClock clock = new MutableClock();
        RegistryImageInspector cached = new RegistryImageInspector(BuildInfra.registry(), true,
                () -> Optional.of(new RegistryImageInspector.Credentials(BuildInfra.REGISTRY_USER, BuildInfra.REGISTRY_PASSWORD)),
                Duration.ofSeconds(2), 16, Duration.ofSeconds(10), clock);
        String later = BuildInfra.registry() + "/inspect/later:1";
        assertThat(cached.inspect(later).availability()).isEqualTo(ImageFacts.Availability.MISSING);
        BuildInfra.configOnlyImage("inspect/later:1", "1000", 8080);
        assertThat(cached.inspect(later).availability()).as("still the cached answer").isEqualTo(ImageFacts.Availability.MISSING);
        clock.now = clock.now.plusSeconds(11);
        assertThat(cached.inspect(later).availability()).isEqualTo(ImageFacts.Availability.FOUND);
    }

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
