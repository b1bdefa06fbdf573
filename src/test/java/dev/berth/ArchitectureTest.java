package dev.berth;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Keeps the package graph of docs/architecture.md ("Package layers") true: no cycle between any two
 * {@code dev.berth.*} packages, each named layer used only by the layers above it, a kernel that knows no feature,
 * and {@code web} on top. A package that is in no layer yet is still held to the no-cycle rule and may not be used
 * by the kernel or use {@code web}; the layer it belongs to is written down when it is added to the table.
 */
@AnalyzeClasses(packages = "dev.berth", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    /** Shared by every feature; imports none. */
    static final String[] KERNEL = {"dev.berth.api..", "dev.berth.state..", "dev.berth.kube..", "dev.berth.jobs..",
            "dev.berth.secrets..", "dev.berth.ui..", "dev.berth.live..", "dev.berth.notices.."};

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.berth.(*)..").namingSlices("$1")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule layersAreUsedOnlyFromAbove = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("Kernel").definedBy(KERNEL)
            .layer("Tenancy").definedBy("dev.berth.tenancy..")
            .layer("Identity").definedBy("dev.berth.identity..", "dev.berth.security..", "dev.berth.audit..")
            .layer("Quotas").definedBy("dev.berth.quotas..")
            .layer("Regions").definedBy("dev.berth.regions..")
            .layer("Apps").definedBy("dev.berth.apps..")
            .layer("Placement").definedBy("dev.berth.placement..")
            .layer("Members").definedBy("dev.berth.members..")
            .layer("Running").definedBy("dev.berth.tls..", "dev.berth.metrics..")
            .layer("Releases").definedBy("dev.berth.releases..")
            .layer("Processes").definedBy("dev.berth.processes..")
            .layer("Operations").definedBy("dev.berth.builds..", "dev.berth.reconcile..", "dev.berth.notify..",
                    "dev.berth.keyring..", "dev.berth.deadletters..")
            .layer("Tenants").definedBy("dev.berth.tenants..")
            .layer("Web").definedBy("dev.berth.web..")
            .whereLayer("Web").mayNotBeAccessedByAnyLayer()
            .whereLayer("Tenants").mayOnlyBeAccessedByLayers("Web")
            .whereLayer("Operations").mayOnlyBeAccessedByLayers("Tenants", "Web")
            .whereLayer("Processes").mayOnlyBeAccessedByLayers("Operations", "Tenants", "Web")
            .whereLayer("Releases").mayOnlyBeAccessedByLayers("Processes", "Operations", "Tenants", "Web")
            .whereLayer("Running").mayOnlyBeAccessedByLayers("Releases", "Processes", "Operations", "Tenants", "Web")
            .whereLayer("Members").mayOnlyBeAccessedByLayers("Running", "Releases", "Processes", "Operations",
                    "Tenants", "Web")
            .whereLayer("Placement").mayOnlyBeAccessedByLayers("Members", "Running", "Releases", "Processes",
                    "Operations", "Tenants", "Web")
            .whereLayer("Apps").mayOnlyBeAccessedByLayers("Placement", "Members", "Running", "Releases", "Processes",
                    "Operations", "Tenants", "Web")
            .whereLayer("Regions").mayOnlyBeAccessedByLayers("Apps", "Placement", "Members", "Running", "Releases",
                    "Processes", "Operations", "Tenants", "Web")
            .whereLayer("Quotas").mayOnlyBeAccessedByLayers("Regions", "Apps", "Placement", "Members", "Running",
                    "Releases", "Processes", "Operations", "Tenants", "Web")
            .whereLayer("Identity").mayOnlyBeAccessedByLayers("Quotas", "Regions", "Apps", "Placement", "Members",
                    "Running", "Releases", "Processes", "Operations", "Tenants", "Web")
            .whereLayer("Tenancy").mayOnlyBeAccessedByLayers("Identity", "Quotas", "Regions", "Apps", "Placement",
                    "Members", "Running", "Releases", "Processes", "Operations", "Tenants", "Web");

    @ArchTest
    static final ArchRule kernelKnowsNoFeature = noClasses().that().resideInAnyPackage(KERNEL)
            .should().dependOnClassesThat(resideInAPackage("dev.berth..").and(not(resideInAnyPackage(KERNEL))))
            .as("the kernel (" + String.join(", ", KERNEL) + ") depends on no feature package");

    @ArchTest
    static final ArchRule webIsOnTop = noClasses().that().resideOutsideOfPackage("dev.berth.web..")
            .should().dependOnClassesThat().resideInAPackage("dev.berth.web..")
            .as("no package depends on web");
}
