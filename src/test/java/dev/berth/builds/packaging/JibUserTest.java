package dev.berth.builds.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.builds.run.BuildFailure;
import org.junit.jupiter.api.Test;

/** The user Jib images run as must be one a kubelet accepts under runAsNonRoot: numeric, uid not 0. */
class JibUserTest {
    @Test
    void aNumericNonRootUidWithOrWithoutAGroupIsTaken() {
        assertThat(JibPackager.runAsUser("65532:65532")).isEqualTo("65532:65532");
        assertThat(JibPackager.runAsUser(" 1000 ")).isEqualTo("1000");
        assertThat(JibPackager.runAsUser("1000:0")).isEqualTo("1000:0");
    }

    @Test
    void rootANameOrAnOutOfRangeUidFailsTheBuildNamingTheSetting() {
        for (String bad : new String[] {"0", "0:0", "000", "root", "nonroot", "", "65532:staff", "-1", "4294967296"}) {
            assertThatThrownBy(() -> JibPackager.runAsUser(bad)).as(bad).isInstanceOf(BuildFailure.class)
                    .hasMessageContaining("berth.builds.jib.user").hasMessageContaining("runAsNonRoot");
        }
    }
}
