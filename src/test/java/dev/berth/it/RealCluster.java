package dev.berth.it;

import dev.berth.testsupport.BuildInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The test profile of the integration tests: Berth's only region is the real control plane ({@link ControlPlane}),
 * reached through the kubeconfig of the service account that {@code deploy/rbac.yaml} binds; the sandbox is off.
 * Builds push to the tests' registry and clone from their git daemon ({@link BuildInfra}).
 * Every integration test uses this one profile, so Quarkus starts once for all of them.
 */
public class RealCluster implements QuarkusTestProfile {
    /** The default region's name in the integration tests. */
    public static final String REGION = "real";

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Resource.class), new TestResourceEntry(BuildInfra.class));
    }

    /** Starts the control plane before Berth, and points Berth's default region at it. */
    public static class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            ControlPlane cp = ControlPlane.get();
            return Map.of("berth.regions.sandbox.enabled", "false",
                    "berth.regions.default.name", REGION,
                    "berth.regions.default.kubeconfig", cp.berthKubeconfig().toString(),
                    "berth.regions.default.base-domain", "apps.real.test",
                    "berth.regions.health-interval", "1s");
        }

        @Override
        public void stop() {
            // The control plane lives as long as the JVM: every integration test class shares it.
        }
    }
}
